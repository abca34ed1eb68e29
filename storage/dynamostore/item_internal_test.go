package dynamostore

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

func TestExpiresAt(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	tests := []struct {
		in   time.Time
		want int64
	}{
		{time.Time{}, 0},
		{base, 1_700_000_000},
		{base.Add(time.Nanosecond), 1_700_000_001}, // rounded up: never early
		{base.Add(999 * time.Millisecond), 1_700_000_001},
	}
	for _, tc := range tests {
		if got := storeutil.ExpirySeconds(tc.in); got != tc.want {
			t.Errorf("storeutil.ExpirySeconds(%v) = %d, want %d", tc.in, got, tc.want)
		}
	}
	if expired(0, base) {
		t.Error("a value without expiry is expired")
	}
	if expired(1_700_000_001, base.Add(500*time.Millisecond)) {
		t.Error("a value expiring at second 1 is expired at 0.5")
	}
	if !expired(1_700_000_001, base.Add(time.Second)) {
		t.Error("a value expiring at second 1 is not expired at 1")
	}
}

func TestParseHead(t *testing.T) {
	n := func(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	good := []map[string]types.AttributeValue{
		{"k": s("responses#a")}, // empty inline value
		{"k": s("responses#a"), "v": &types.AttributeValueMemberB{Value: []byte("x")}, "expires": n("5")},
		{"k": s("responses#a"), "g": s("00ff"), "n": n("3"), "z": n("1000000")},
	}
	for _, item := range good {
		if h, err := parseHead(item); err != nil || h == nil {
			t.Errorf("parseHead(%v) = (%v, %v), want a head", item, h, err)
		}
	}
	bad := []map[string]types.AttributeValue{
		{"k": s("responses#a"), "v": s("not binary")},
		{"k": s("responses#a"), "expires": s("soon")},
		{"k": s("responses#a"), "expires": n("1.5")},
		{"k": s("responses#a"), "g": s("00ff"), "n": n("0"), "z": n("10")},
		{"k": s("responses#a"), "g": s("00ff"), "n": n("1000000000"), "z": n("1000000000000000")},
		{"k": s("responses#a"), "g": s("00ff"), "n": n("1"), "z": n("10000000")}, // more than an item holds
		{"k": s("responses#a"), "g": s(""), "n": n("1"), "z": n("10")},
	}
	for _, item := range bad {
		if h, err := parseHead(item); err == nil {
			t.Errorf("parseHead(%v) = %+v, want an error", item, h)
		}
	}
	if h, err := parseHead(nil); h != nil || err != nil {
		t.Errorf("parseHead(nil) = (%v, %v), want (nil, nil)", h, err)
	}
}

func TestItemKeys(t *testing.T) {
	key := strings.Repeat("x", 512)
	ck := chunkKey("responses", newGeneration(), 99, key)
	if strings.HasPrefix(ck, headPrefix("responses")) || !strings.HasPrefix(ck, chunkPrefix("responses")) {
		t.Errorf("chunk key %q is under the head prefix", ck)
	}
	// The largest chunk item stays under the item limit.
	size := len(attrKey) + len(ck) + len(attrValue) + chunkSize + len(attrExpires) + 20
	if size >= maxItemBytes {
		t.Errorf("largest chunk item is %d bytes, want under %d", size, maxItemBytes)
	}
	if a, b := newGeneration(), newGeneration(); a == b || len(a) != 16 {
		t.Errorf("generations %q and %q: want distinct 16-digit names", a, b)
	}
}
