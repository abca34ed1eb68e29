package dynamostore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Request sizes. DynamoDB allows 25 writes or 100 reads per batch request
// and 16 MB per request or response; a batch of chunks stays near 5.6 MB.
const (
	batchWriteMax       = 25
	batchGetMax         = 100
	chunksPerRequest    = 16
	unprocessedAttempts = 10
)

// batchPut puts items with BatchWriteItem, chunksPerRequest at a time.
func (t *table) batchPut(ctx context.Context, items []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(items))
	for i, item := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: item}}
	}
	return t.batchWrite(ctx, reqs, chunksPerRequest)
}

// batchDelete deletes the items with partition keys ks with BatchWriteItem,
// 25 at a time. Absent items are ignored.
func (t *table) batchDelete(ctx context.Context, ks []string) error {
	reqs := make([]types.WriteRequest, 0, len(ks))
	seen := make(map[string]bool, len(ks))
	for _, k := range ks {
		if seen[k] {
			continue // a batch must not name an item twice
		}
		seen[k] = true
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: keyOf(k)}})
	}
	return t.batchWrite(ctx, reqs, batchWriteMax)
}

func (t *table) batchWrite(ctx context.Context, reqs []types.WriteRequest, per int) error {
	for start := 0; start < len(reqs); start += per {
		if err := t.writeBatch(ctx, reqs[start:min(start+per, len(reqs))]); err != nil {
			return err
		}
	}
	return nil
}

// writeBatch sends one BatchWriteItem request and resends its unprocessed
// items with backoff until none are left.
func (t *table) writeBatch(ctx context.Context, batch []types.WriteRequest) error {
	pending := batch
	for attempt := 0; ; attempt++ {
		var out *dynamodb.BatchWriteItemOutput
		err := t.do(ctx, func(ctx context.Context) (err error) {
			out, err = t.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
				RequestItems: map[string][]types.WriteRequest{t.name: pending},
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("BatchWriteItem: %w", err)
		}
		pending = out.UnprocessedItems[t.name]
		if len(pending) == 0 {
			return nil
		}
		if attempt+1 == unprocessedAttempts {
			return fmt.Errorf("BatchWriteItem: %d of %d items still unprocessed after %d attempts", len(pending), len(batch), attempt+1)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return fmt.Errorf("BatchWriteItem: %d items unprocessed: %w", len(pending), err)
		}
	}
}

// batchGet reads the items with partition keys ks (no duplicates) with
// strongly consistent BatchGetItem requests of at most per keys, and returns
// them by partition key; absent items are absent from the map. A non-empty
// projection limits the attributes returned.
func (t *table) batchGet(ctx context.Context, ks []string, per int, projection string, names map[string]string) (map[string]map[string]types.AttributeValue, error) {
	got := make(map[string]map[string]types.AttributeValue, len(ks))
	for start := 0; start < len(ks); start += per {
		part := ks[start:min(start+per, len(ks))]
		keys := make([]map[string]types.AttributeValue, len(part))
		for i, k := range part {
			keys[i] = keyOf(k)
		}
		req := types.KeysAndAttributes{Keys: keys, ConsistentRead: aws.Bool(true)}
		if projection != "" {
			req.ProjectionExpression, req.ExpressionAttributeNames = aws.String(projection), names
		}
		if err := t.getBatch(ctx, req, got); err != nil {
			return nil, err
		}
	}
	return got, nil
}

func (t *table) getBatch(ctx context.Context, req types.KeysAndAttributes, got map[string]map[string]types.AttributeValue) error {
	n := len(req.Keys)
	for attempt := 0; ; attempt++ {
		var out *dynamodb.BatchGetItemOutput
		err := t.do(ctx, func(ctx context.Context) (err error) {
			out, err = t.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{
				RequestItems: map[string]types.KeysAndAttributes{t.name: req},
			})
			return err
		})
		if err != nil {
			return fmt.Errorf("BatchGetItem: %w", err)
		}
		for _, item := range out.Responses[t.name] {
			if k, ok := item[attrKey].(*types.AttributeValueMemberS); ok {
				got[k.Value] = item
			}
		}
		left, ok := out.UnprocessedKeys[t.name]
		if !ok || len(left.Keys) == 0 {
			return nil
		}
		if attempt+1 == unprocessedAttempts {
			return fmt.Errorf("BatchGetItem: %d of %d keys still unprocessed after %d attempts", len(left.Keys), n, attempt+1)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return fmt.Errorf("BatchGetItem: %d keys unprocessed: %w", len(left.Keys), err)
		}
		req.Keys = left.Keys
	}
}

// backoff is the wait before retry attempt+1 of unprocessed batch items:
// exponential from 50ms to 2s, with jitter.
func backoff(attempt int) time.Duration {
	d := min(50*time.Millisecond<<attempt, 2*time.Second)
	return d/2 + rand.N(d/2+1)
}
