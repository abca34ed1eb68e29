package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// readChunks fetches and joins h's chunks. complete is false when a chunk is
// missing: the head was replaced or deleted meanwhile (or its writer died).
func (s *store) readChunks(ctx context.Context, key string, h *head) (v []byte, complete bool, err error) {
	keys := h.chunkKeys(s.ns, key)
	items, err := s.t.batchGet(ctx, keys, chunksPerRequest, "", nil)
	if err != nil {
		return nil, false, err
	}
	parts := make([][]byte, len(keys))
	total := 0
	for i, k := range keys {
		item, ok := items[k]
		if !ok {
			return nil, false, nil
		}
		b, ok := item[attrValue].(*types.AttributeValueMemberB)
		if !ok {
			return nil, false, fmt.Errorf("malformed chunk item %q: no binary attribute %q", k, attrValue)
		}
		parts[i] = b.Value
		total += len(b.Value)
	}
	if total != h.size {
		return nil, false, fmt.Errorf("malformed value: the chunks of generation %s hold %d bytes, the head says %d", h.gen, total, h.size)
	}
	v = make([]byte, 0, total)
	for _, p := range parts {
		v = append(v, p...)
	}
	return v, true, nil
}

// removeChunksOf removes the chunks of the replaced or deleted head item old,
// unless it has none or they are generation keep's.
func (s *store) removeChunksOf(ctx context.Context, key string, old map[string]types.AttributeValue, keep string) {
	h, err := parseHead(old)
	if err != nil || h == nil || !h.chunked() || h.gen == keep {
		return
	}
	s.removeChunks(ctx, key, h)
}

// removeChunks deletes h's chunks. It runs even when ctx is done (the write
// or delete it follows has taken effect), within cleanupTimeout; a failure
// leaves unreachable items behind, which it logs.
func (s *store) removeChunks(ctx context.Context, key string, h *head) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := s.t.batchDelete(ctx, h.chunkKeys(s.ns, key)); err != nil {
		s.t.log.Warn("dynamostore: cannot remove the chunks of a replaced value; they stay as unreachable items until they expire or Clear runs",
			"table", s.t.name, "namespace", s.ns, "key", key, "generation", h.gen, "error", err)
	}
}
