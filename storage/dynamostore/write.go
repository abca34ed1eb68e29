package dynamostore

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// Write stores value under key, replacing any previous value and its expiry.
func (s *store) Write(ctx context.Context, key string, value []byte) error {
	return s.writeOp(ctx, key, value, 0)
}

// WriteWithExpiry stores value under key with DynamoDB's TTL attribute set to
// expires (rounded up to a second). From then on the value reads as absent,
// and DynamoDB deletes it eventually. A zero expires means no expiry.
func (s *store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.writeOp(ctx, key, value, storeutil.ExpirySeconds(expires))
}

func (s *store) writeOp(ctx context.Context, key string, value []byte, exp int64) error {
	if err := s.check(ctx); err != nil {
		return s.wrap(err)
	}
	if err := checkKey(key); err != nil {
		return s.wrap(err)
	}
	if len(value) <= chunkSize {
		return s.wrap(s.writeInline(ctx, key, value, exp))
	}
	return s.wrap(s.writeChunked(ctx, key, value, exp))
}

// writeInline puts a head holding value. The common case, replacing nothing
// or an inline value, is one conditional PutItem that returns nothing; only
// when it replaces a chunked value does a second PutItem return the old head,
// whose chunks are then removed.
func (s *store) writeInline(ctx context.Context, key string, value []byte, exp int64) error {
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
func (s *store) writeChunked(ctx context.Context, key string, value []byte, exp int64) error {
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
func (s *store) putHead(ctx context.Context, key string, item map[string]types.AttributeValue, gen string) error {
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
