package entry

import (
	"bytes"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func sample() *Entry {
	now := time.Unix(1700000000, 123456789)
	return &Entry{
		Status:     200,
		Proto:      "HTTP/1.1",
		Header:     http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"a=1", "b=2"}, "Etag": {`"x"`}},
		Created:    now,
		Expires:    now.Add(time.Hour),
		Requested:  now.Add(-time.Millisecond),
		InitialAge: 3 * time.Second,
		Method:     "GET",
		URL:        "https://example.com/a?b=c",
		ReqHeader:  http.Header{"Accept": {"*/*"}},
		Body:       []byte("hello\x00world"),
	}
}

func TestRoundTrip(t *testing.T) {
	for _, e := range []*Entry{sample(), {Status: 204, Body: []byte{}}} {
		got, err := Decode(e.Encode())
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if !reflect.DeepEqual(got, e) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, e)
		}
	}
}

func TestPrefixThenBodyIsTheEncoding(t *testing.T) {
	e := sample()
	streamed := append(e.AppendPrefix(nil), e.Body...)
	if !bytes.Equal(streamed, e.Encode()) {
		t.Fatal("AppendPrefix + body differs from Encode")
	}
}

func TestDecodeBodyIsZeroCopy(t *testing.T) {
	data := sample().Encode()
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if &got.Body[0] != &data[len(data)-len(got.Body)] {
		t.Fatal("Body does not alias the encoded bytes")
	}
	if cap(got.Body) != len(got.Body) {
		t.Fatal("Body's capacity reaches past its end: an append could overwrite")
	}
}

func TestDecodeRejectsCorruptInput(t *testing.T) {
	good := sample().Encode()
	cases := map[string][]byte{
		"empty":       nil,
		"foreign":     []byte(`{"status": 200}`),
		"magic only":  good[:3],
		"new version": append([]byte{0xCC, 'c', 'E', Version + 1}, good[4:]...),
		"bad status":  append([]byte{0xCC, 'c', 'E', Version, 0}, good[5:]...),
	}
	// Every truncation inside the metadata must be refused.
	prefix := len(sample().AppendPrefix(nil))
	for i := 4; i < prefix; i++ {
		cases["truncated"+string(rune('a'+i%26))+time.Duration(i).String()] = good[:i]
	}
	for name, data := range cases {
		if _, err := Decode(data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Decode err = %v, want ErrCorrupt", name, err)
		}
	}
}

func TestIsExpired(t *testing.T) {
	now := time.Now()
	if (&Entry{}).IsExpired(now) {
		t.Error("an entry without Expires expired")
	}
	if !(&Entry{Expires: now}).IsExpired(now) {
		t.Error("an entry is still fresh at its expiry")
	}
	if (&Entry{Expires: now.Add(time.Second)}).IsExpired(now) {
		t.Error("an entry expired before its expiry")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(sample().Encode())
	f.Add([]byte{0xCC, 'c', 'E', Version})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Decode(data)
		if err != nil {
			return
		}
		again, err := Decode(e.Encode())
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("re-encoding a decoded entry does not round-trip: %v", err)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	data := sample().Encode()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestVariantsRoundTrip(t *testing.T) {
	a, b := sample(), sample()
	b.Body = []byte("other")
	data := EncodeVariants([][]byte{a.Encode(), b.Encode()})
	if !IsVariants(data) || IsVariants(a.Encode()) {
		t.Fatal("IsVariants cannot tell a set from an entry")
	}
	got, err := DecodeAll(data)
	if err != nil || len(got) != 2 || string(got[1].Body) != "other" || !reflect.DeepEqual(got[0], a) {
		t.Fatalf("DecodeAll = %v, %v", got, err)
	}
	single, err := DecodeAll(a.Encode())
	if err != nil || len(single) != 1 {
		t.Fatalf("DecodeAll of one entry = %v, %v", single, err)
	}
	for i := 4; i < len(data)-1; i += 7 {
		if _, err := DecodeAll(data[:i]); err == nil {
			t.Fatalf("a set truncated to %d bytes decoded", i)
		}
	}
}
