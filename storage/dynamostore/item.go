package dynamostore

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute names of the items this package writes.
const (
	attrKey     = "k"       // partition key (S): head "ns#key", chunk "ns@gen.i#key"
	attrValue   = "v"       // bytes (B): an inline value, or one chunk; absent when empty
	attrGen     = "g"       // generation (S) of a chunked value's chunks; head only
	attrChunks  = "n"       // chunk count (N); head only
	attrSize    = "z"       // total size in bytes (N); head only
	attrExpires = "expires" // expiry (N), Unix seconds; the table's TTL attribute
)

// chunkSize is the most bytes one item holds: a value up to this size is
// stored inline, a larger one in chunks of this size. It leaves about 50 KB of
// the 400 KB item limit for the key (at most about 560 bytes) and the other
// attributes' names and values.
const chunkSize = 350 << 10

// maxItemBytes is DynamoDB's item size limit (400 KB).
const maxItemBytes = 400 << 10

// headKey is the partition key of key's head item in namespace ns.
func headKey(ns, key string) string { return ns + "#" + key }

// headPrefix starts the partition key of every head item of namespace ns.
func headPrefix(ns string) string { return ns + "#" }

// chunkPrefix starts the partition key of every chunk item of namespace ns.
// It differs from headPrefix, so listings by head prefix never see chunks.
func chunkPrefix(ns string) string { return ns + "@" }

// chunkKey is the partition key of chunk i of generation gen of key.
func chunkKey(ns, gen string, i int, key string) string {
	return chunkPrefix(ns) + gen + "." + strconv.Itoa(i) + "#" + key
}

// newGeneration returns a random name for the chunks of one write.
func newGeneration() string { return fmt.Sprintf("%016x", rand.Uint64()) }

// expired reports whether an item with TTL value exp is expired at now.
func expired(exp int64, now time.Time) bool { return exp != 0 && exp <= now.Unix() }

// head is a decoded head item.
type head struct {
	value   []byte // inline value (gen == "")
	gen     string // chunk generation; "" for an inline value
	chunks  int
	size    int
	expires int64 // 0: never
}

func (h *head) chunked() bool { return h.gen != "" }

// chunkKeys returns the partition keys of h's chunks, in order.
func (h *head) chunkKeys(ns, key string) []string {
	keys := make([]string, h.chunks)
	for i := range keys {
		keys[i] = chunkKey(ns, h.gen, i, key)
	}
	return keys
}

// parseHead decodes a head item. A nil or empty item gives (nil, nil).
func parseHead(item map[string]types.AttributeValue) (*head, error) {
	if len(item) == 0 {
		return nil, nil
	}
	h := &head{}
	var err error
	if h.expires, err = numberAttr(item, attrExpires); err != nil {
		return nil, err
	}
	if g, ok := item[attrGen].(*types.AttributeValueMemberS); ok {
		h.gen = g.Value
		n, err := numberAttr(item, attrChunks)
		if err != nil {
			return nil, err
		}
		z, err := numberAttr(item, attrSize)
		if err != nil {
			return nil, err
		}
		// Each chunk holds 1 byte to one item's worth; the bound on n keeps a
		// foreign item from making a reader allocate without limit.
		if h.gen == "" || n <= 0 || n > 1<<20 || z < n || z > n*maxItemBytes {
			return nil, fmt.Errorf("malformed head item: generation %q, %d chunks, %d bytes", h.gen, n, z)
		}
		h.chunks, h.size = int(n), int(z)
		return h, nil
	}
	switch v := item[attrValue].(type) {
	case nil:
		h.value = []byte{}
	case *types.AttributeValueMemberB:
		h.value = v.Value
		if h.value == nil {
			h.value = []byte{}
		}
	default:
		return nil, fmt.Errorf("malformed item: attribute %q is %T, want binary", attrValue, v)
	}
	return h, nil
}

// numberAttr returns item's number attribute name, or 0 when it is absent.
func numberAttr(item map[string]types.AttributeValue, name string) (int64, error) {
	switch v := item[name].(type) {
	case nil:
		return 0, nil
	case *types.AttributeValueMemberN:
		n, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("malformed item: attribute %q = %q is not an integer", name, v.Value)
		}
		return n, nil
	default:
		return 0, fmt.Errorf("malformed item: attribute %q is %T, want a number", name, v)
	}
}

func attrS(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func attrN(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// keyOf is the primary key of the item with partition key k.
func keyOf(k string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrKey: attrS(k)}
}

// inlineItem is the head item holding value itself.
func inlineItem(k string, value []byte, exp int64) map[string]types.AttributeValue {
	item := keyOf(k)
	if len(value) > 0 {
		item[attrValue] = &types.AttributeValueMemberB{Value: value}
	}
	if exp != 0 {
		item[attrExpires] = attrN(exp)
	}
	return item
}

// chunkedHeadItem is the head item of a value stored in chunks.
func chunkedHeadItem(k, gen string, chunks, size int, exp int64) map[string]types.AttributeValue {
	item := keyOf(k)
	item[attrGen] = attrS(gen)
	item[attrChunks] = attrN(int64(chunks))
	item[attrSize] = attrN(int64(size))
	if exp != 0 {
		item[attrExpires] = attrN(exp)
	}
	return item
}
