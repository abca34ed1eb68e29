package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/storage"
)

// Namespaces: the two storages of a Backend share the table.
const (
	nsResponses = "responses"
	nsRedirects = "redirects"
)

// readAttempts bounds how often Read starts over when concurrent writes keep
// replacing a chunked value under it.
const readAttempts = 5

// cleanupTimeout bounds the removal of a replaced value's chunks, which runs
// even when the caller's context ends right after the write took effect.
const cleanupTimeout = 30 * time.Second

// Store is one namespace (responses or redirects) of a cache table. It
// implements storage.Storage, storage.ExpiringWriter, storage.BulkDeleter and
// storage.Pruner, and is safe for concurrent use.
type Store struct {
	t      *table
	ns     string
	closed atomic.Bool
}

var (
	_ storage.Storage        = (*Store)(nil)
	_ storage.ExpiringWriter = (*Store)(nil)
	_ storage.BulkDeleter    = (*Store)(nil)
	_ storage.Pruner         = (*Store)(nil)
)

// Table returns the name of the DynamoDB table that holds the store.
func (s *Store) Table() string { return s.t.name }

// check returns the error an operation must fail with before doing anything.
func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	return context.Cause(ctx)
}

func checkKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	if !utf8.ValidString(key) {
		return errors.New("key is not valid UTF-8 (DynamoDB string keys must be)")
	}
	return nil
}

// Contains reports whether key holds a value that has not expired.
func (s *Store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.check(ctx); err != nil {
		return false, s.wrap("contains", key, err)
	}
	if err := checkKey(key); err != nil {
		return false, s.wrap("contains", key, err)
	}
	var out *dynamodb.GetItemOutput
	err := s.t.do(ctx, func(ctx context.Context) (err error) {
		out, err = s.t.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:                aws.String(s.t.name),
			Key:                      keyOf(headKey(s.ns, key)),
			ConsistentRead:           aws.Bool(true),
			ProjectionExpression:     aws.String("#k, #e"),
			ExpressionAttributeNames: map[string]string{"#k": attrKey, "#e": attrExpires},
		})
		return err
	})
	if err != nil {
		return false, s.wrap("contains", key, err)
	}
	if len(out.Item) == 0 {
		return false, nil
	}
	exp, err := numberAttr(out.Item, attrExpires)
	if err != nil {
		return false, s.wrap("contains", key, err)
	}
	return !expired(exp, time.Now()), nil
}

// Read returns the value stored under key. An absent or expired value gives
// an error wrapping storage.ErrNotFound.
func (s *Store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, s.wrap("read", key, err)
	}
	if err := checkKey(key); err != nil {
		return nil, s.wrap("read", key, err)
	}
	v, err := s.read(ctx, key)
	return v, s.wrap("read", key, err)
}

func (s *Store) read(ctx context.Context, key string) ([]byte, error) {
	var seen string // generation whose chunks were found missing
	for range readAttempts {
		h, err := s.getHead(ctx, key)
		if err != nil {
			return nil, err
		}
		if h == nil || expired(h.expires, time.Now()) {
			return nil, storage.ErrNotFound
		}
		if !h.chunked() {
			return h.value, nil
		}
		v, complete, err := s.readChunks(ctx, key, h)
		if err != nil {
			return nil, err
		}
		if complete {
			return v, nil
		}
		if h.gen == seen {
			// The head still names chunks that are gone: its writer died
			// between writing them and removing them. Drop the head.
			s.dropBrokenHead(ctx, key, h.gen)
			return nil, fmt.Errorf("%w (its chunks were lost; the item was removed)", storage.ErrNotFound)
		}
		seen = h.gen // replaced meanwhile: read the new head
	}
	return nil, fmt.Errorf("the value changed under %d consecutive reads", readAttempts)
}

// getHead reads key's head item with a strongly consistent read.
func (s *Store) getHead(ctx context.Context, key string) (*head, error) {
	var out *dynamodb.GetItemOutput
	err := s.t.do(ctx, func(ctx context.Context) (err error) {
		out, err = s.t.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      aws.String(s.t.name),
			Key:            keyOf(headKey(s.ns, key)),
			ConsistentRead: aws.Bool(true),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return parseHead(out.Item)
}

// dropBrokenHead deletes key's head if it still has generation gen.
func (s *Store) dropBrokenHead(ctx context.Context, key, gen string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_, err := s.t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.t.name),
		Key:                       keyOf(headKey(s.ns, key)),
		ConditionExpression:       aws.String("#g = :g"),
		ExpressionAttributeNames:  map[string]string{"#g": attrGen},
		ExpressionAttributeValues: map[string]types.AttributeValue{":g": attrS(gen)},
	})
	if err != nil && !isConditionFailed(err) {
		s.t.log.Warn("dynamostore: cannot remove a head item whose chunks are lost",
			"table", s.t.name, "namespace", s.ns, "key", key, "error", err)
	}
}

// Write stores value under key, replacing any previous value and its expiry.
func (s *Store) Write(ctx context.Context, key string, value []byte) error {
	return s.writeOp(ctx, "write", key, value, 0)
}

// WriteWithExpiry stores value under key with DynamoDB's TTL attribute set to
// expires (rounded up to a second). From then on the value reads as absent,
// and DynamoDB deletes it eventually. A zero expires means no expiry.
func (s *Store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.writeOp(ctx, "write with expiry", key, value, expiresAt(expires))
}

func (s *Store) writeOp(ctx context.Context, op string, key string, value []byte, exp int64) error {
	if err := s.check(ctx); err != nil {
		return s.wrap(op, key, err)
	}
	if err := checkKey(key); err != nil {
		return s.wrap(op, key, err)
	}
	if len(value) <= chunkSize {
		return s.wrap(op, key, s.writeInline(ctx, key, value, exp))
	}
	return s.wrap(op, key, s.writeChunked(ctx, key, value, exp))
}

// writeInline puts a head holding value. The common case, replacing nothing
// or an inline value, is one conditional PutItem that returns nothing; only
// when it replaces a chunked value does a second PutItem return the old head,
// whose chunks are then removed.
func (s *Store) writeInline(ctx context.Context, key string, value []byte, exp int64) error {
	item := inlineItem(headKey(s.ns, key), value, exp)
	err := s.t.do(ctx, func(ctx context.Context) error {
		_, err := s.t.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                aws.String(s.t.name),
			Item:                     item,
			ConditionExpression:      aws.String("attribute_not_exists(#g)"),
			ExpressionAttributeNames: map[string]string{"#g": attrGen},
		})
		return err
	})
	if !isConditionFailed(err) {
		return err
	}
	return s.putHead(ctx, key, item, "")
}

// writeChunked writes value's chunks under a new generation, then the head.
func (s *Store) writeChunked(ctx context.Context, key string, value []byte, exp int64) error {
	gen := newGeneration()
	n := (len(value) + chunkSize - 1) / chunkSize
	chunks := make([]map[string]types.AttributeValue, n)
	for i := range chunks {
		part := value[i*chunkSize : min((i+1)*chunkSize, len(value))]
		chunks[i] = inlineItem(chunkKey(s.ns, gen, i, key), part, exp)
	}
	h := &head{gen: gen, chunks: n, size: len(value)}
	if err := s.t.batchPut(ctx, chunks); err != nil {
		s.removeChunks(ctx, key, h)
		return err
	}
	if err := s.putHead(ctx, key, chunkedHeadItem(headKey(s.ns, key), gen, n, len(value), exp), gen); err != nil {
		s.removeChunks(ctx, key, h)
		return err
	}
	return nil
}

// putHead puts a head item unconditionally and removes the chunks of the
// head it replaced (unless they are gen's own).
func (s *Store) putHead(ctx context.Context, key string, item map[string]types.AttributeValue, gen string) error {
	var out *dynamodb.PutItemOutput
	err := s.t.do(ctx, func(ctx context.Context) (err error) {
		out, err = s.t.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:    aws.String(s.t.name),
			Item:         item,
			ReturnValues: types.ReturnValueAllOld,
		})
		return err
	})
	if err != nil {
		return err
	}
	s.removeChunksOf(ctx, key, out.Attributes, gen)
	return nil
}

// Delete removes key and its chunks. Deleting an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return s.wrap("delete", key, err)
	}
	if err := checkKey(key); err != nil {
		return s.wrap("delete", key, err)
	}
	k := keyOf(headKey(s.ns, key))
	err := s.t.do(ctx, func(ctx context.Context) error {
		_, err := s.t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:                aws.String(s.t.name),
			Key:                      k,
			ConditionExpression:      aws.String("attribute_not_exists(#g)"),
			ExpressionAttributeNames: map[string]string{"#g": attrGen},
		})
		return err
	})
	if !isConditionFailed(err) {
		return s.wrap("delete", key, err)
	}
	// A chunked value: delete again, learning which chunks to remove.
	var out *dynamodb.DeleteItemOutput
	err = s.t.do(ctx, func(ctx context.Context) (err error) {
		out, err = s.t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:    aws.String(s.t.name),
			Key:          k,
			ReturnValues: types.ReturnValueAllOld,
		})
		return err
	})
	if err != nil {
		return s.wrap("delete", key, err)
	}
	s.removeChunksOf(ctx, key, out.Attributes, "")
	return nil
}

// Close marks the store closed; later calls fail with storage.ErrClosed.
// When both stores of a Backend built by Open or OpenEndpoint are closed,
// the idle connections of the HTTP client built for them are closed. A client
// passed to New is never touched. Close is idempotent.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.t.open.Add(-1) == 0 && s.t.closeIdle != nil {
		s.t.closeIdle()
	}
	return nil
}
