package entry

import (
	"bytes"
	"encoding/hex"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the expected entries")

const formatChanged = "the entry format changed: bump Version and write a migration note, or regenerate with -update if intended"

// goldens are the expected contents of testdata/golden/NAME.hex: one entry,
// or a set of variants when there are several. The times are fixed so that
// the encodings are.
func goldens() map[string][]*Entry {
	created := time.Unix(1767225600, 250000000) // 2026-01-01T00:00:00.25Z
	return map[string][]*Entry{
		"full": {{
			Status: 200,
			Flags:  OptionsExpiry,
			Proto:  "HTTP/1.1",
			Header: http.Header{
				"Cache-Control":  {"max-age=60"},
				"Content-Length": {"13"},
				"Content-Type":   {"text/plain; charset=utf-8"},
				"Date":           {"Thu, 01 Jan 2026 00:00:00 GMT"},
				"Etag":           {`"v1"`},
				"Set-Cookie":     {"a=1", "b=2"},
			},
			Created:    created,
			Expires:    created.Add(time.Hour),
			Requested:  created.Add(-35 * time.Millisecond),
			InitialAge: 2 * time.Second,
			Method:     "GET",
			URL:        "https://example.com/path?q=1&token=REDACTED",
			ReqHeader:  http.Header{"Accept": {"text/plain", "*/*;q=0.1"}},
			Body:       []byte("hello, world\n"),
		}},
		"empty-body": {{
			Status:  204,
			Proto:   "HTTP/2.0",
			Header:  http.Header{"Date": {"Thu, 01 Jan 2026 00:00:00 GMT"}},
			Created: created,
			Method:  "GET",
			URL:     "https://example.com/empty",
			Body:    []byte{},
		}},
		"minimal": {{Status: 100, Body: []byte{}}},
		"vary": {
			{
				Status:    200,
				Proto:     "HTTP/1.1",
				Header:    http.Header{"Content-Encoding": {"gzip"}, "Vary": {"Accept-Encoding"}},
				Created:   created,
				Expires:   created.Add(10 * time.Minute),
				Requested: created.Add(-time.Millisecond),
				Method:    "GET",
				URL:       "https://example.com/v",
				ReqHeader: http.Header{"Accept-Encoding": {"gzip"}},
				Body:      []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00"),
			},
			{
				Status:    200,
				Proto:     "HTTP/1.1",
				Header:    http.Header{"Vary": {"Accept-Encoding"}},
				Created:   created.Add(time.Second),
				Expires:   created.Add(10*time.Minute + time.Second),
				Requested: created.Add(time.Second - time.Millisecond),
				Method:    "GET",
				URL:       "https://example.com/v",
				ReqHeader: http.Header{"Accept-Encoding": {"identity"}},
				Body:      []byte("plain"),
			},
		},
	}
}

func encodeGolden(entries []*Entry) []byte {
	if len(entries) == 1 {
		return entries[0].Encode()
	}
	encoded := make([][]byte, len(entries))
	for i, e := range entries {
		encoded[i] = e.Encode()
	}
	return EncodeVariants(encoded)
}

// formatHex writes data as hex, 32 bytes a line.
func formatHex(data []byte) []byte {
	var b bytes.Buffer
	for len(data) > 0 {
		n := min(32, len(data))
		b.WriteString(hex.EncodeToString(data[:n]))
		b.WriteByte('\n')
		data = data[n:]
	}
	return b.Bytes()
}

// TestGolden pins the format: each file in testdata/golden must decode to its
// expected entries, and encoding them must give the file's bytes.
func TestGolden(t *testing.T) {
	for name, want := range goldens() {
		path := filepath.Join("testdata", "golden", name+".hex")
		encoded := encodeGolden(want)
		if *update {
			if err := os.WriteFile(path, formatHex(encoded), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		file := readHex(t, path)
		if !bytes.Equal(encoded, file) {
			at := 0
			for at < min(len(encoded), len(file)) && encoded[at] == file[at] {
				at++
			}
			t.Errorf("%s: encoding differs from the file from byte %d (%d bytes now, %d in the file): %s", path, at, len(encoded), len(file), formatChanged)
		}
		for _, d := range decodeAlls {
			got, err := d.decodeAll(file)
			if err != nil {
				t.Errorf("%s: %s: %v: %s", path, d.name, err, formatChanged)
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: %s:\n got %+v\nwant %+v\n%s", path, d.name, got, want, formatChanged)
			}
		}
		if IsVariants(file) != (len(want) > 1) {
			t.Errorf("%s: IsVariants = %v: %s", path, IsVariants(file), formatChanged)
		}
	}
	// Every file is checked: a golden file whose entry was removed from
	// goldens would pin nothing.
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.hex"))
	for _, f := range files {
		if _, ok := goldens()[strings.TrimSuffix(filepath.Base(f), ".hex")]; !ok {
			t.Errorf("%s has no expected entry in goldens()", f)
		}
	}
}

// goldenFiles returns the contents of testdata/golden.
func goldenFiles(t testing.TB) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.hex"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	var out [][]byte
	for _, f := range files {
		out = append(out, readHex(t, f))
	}
	return out
}
