package dynamostore

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Delete removes key and its chunks. Deleting an absent key is not an error.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return s.wrap(err)
	}
	if err := checkKey(key); err != nil {
		return s.wrap(err)
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
		return s.wrap(err)
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
		return s.wrap(err)
	}
	s.removeChunksOf(ctx, key, out.Attributes, "")
	return nil
}

// Clear deletes every item of the namespace, heads and chunks, expired or
// not, page by page with BatchWriteItem in batches of 25. The other
// namespace and foreign items in the table are left alone.
func (s *store) Clear(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return s.wrap(err)
	}
	err := s.scan(ctx, s.scanAll(), func(out *dynamodb.ScanOutput) (bool, error) {
		return true, s.t.batchDelete(ctx, partitionKeys(out.Items))
	})
	return s.wrap(err)
}

// DeleteMany deletes keys and their chunks; absent keys are ignored. It reads
// the heads' chunk lists with BatchGetItem (100 at a time, without the
// values), then deletes the heads and afterwards their chunks with
// BatchWriteItem, 25 at a time, resending unprocessed items.
//
// Unlike Delete, a batch delete cannot learn what it deleted: a chunked value
// written to one of keys between the two steps leaves its chunks behind as
// unreachable items, removed by the TTL sweep (when it has an expiry) or by
// Clear.
func (s *store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.check(ctx); err != nil {
		return s.wrap(err)
	}
	var heads []string
	seen := make(map[string]bool, len(keys))
	for _, key := range keys {
		if seen[key] || checkKey(key) != nil {
			continue // a key that cannot be stored is absent
		}
		seen[key] = true
		heads = append(heads, headKey(s.ns, key))
	}
	if len(heads) == 0 {
		return nil
	}
	items, err := s.t.batchGet(ctx, heads, batchGetMax, "#k, #g, #n, #z",
		map[string]string{"#k": attrKey, "#g": attrGen, "#n": attrChunks, "#z": attrSize})
	if err != nil {
		return s.wrap(err)
	}
	present := make([]string, 0, len(items))
	var chunks []string
	for k, item := range items {
		present = append(present, k)
		if h, err := parseHead(item); err == nil && h != nil && h.chunked() {
			chunks = append(chunks, h.chunkKeys(s.ns, strings.TrimPrefix(k, headPrefix(s.ns)))...)
		}
	}
	if err := s.t.batchDelete(ctx, present); err != nil {
		return s.wrap(err)
	}
	return s.wrap(s.t.batchDelete(ctx, chunks))
}

// DeleteExpired deletes the values whose expiry (from WriteWithExpiry) is
// at or before now, and returns how many. It finds them with a strongly
// consistent Scan, then deletes each head only if it is still expired (a
// value rewritten meanwhile is kept), with its chunks; orphaned chunks that
// have expired go too. Values that DynamoDB's TTL sweep removed first are
// not counted.
func (s *store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, s.wrap(err)
	}
	in := s.scanAll()
	in.FilterExpression = aws.String("(begins_with(#k, :h) OR begins_with(#k, :c)) AND #e <= :now")
	in.ExpressionAttributeNames["#e"] = attrExpires
	in.ExpressionAttributeValues[":now"] = attrN(now.Unix())
	deleted := 0
	err := s.scan(ctx, in, func(out *dynamodb.ScanOutput) (bool, error) {
		var chunks []string
		for _, k := range partitionKeys(out.Items) {
			key, isHead := strings.CutPrefix(k, headPrefix(s.ns))
			if !isHead {
				chunks = append(chunks, k)
				continue
			}
			ok, err := s.deleteIfExpired(ctx, key, now)
			if err != nil {
				return false, err
			}
			if ok {
				deleted++
			}
		}
		return true, s.t.batchDelete(ctx, chunks)
	})
	return deleted, s.wrap(err)
}

// deleteIfExpired deletes key's head, and then its chunks, if it is expired
// at now; it reports whether it did.
func (s *store) deleteIfExpired(ctx context.Context, key string, now time.Time) (bool, error) {
	var out *dynamodb.DeleteItemOutput
	err := s.t.do(ctx, func(ctx context.Context) (err error) {
		out, err = s.t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
			TableName:                 aws.String(s.t.name),
			Key:                       keyOf(headKey(s.ns, key)),
			ConditionExpression:       aws.String("#e <= :now"),
			ExpressionAttributeNames:  map[string]string{"#e": attrExpires},
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": attrN(now.Unix())},
			ReturnValues:              types.ReturnValueAllOld,
		})
		return err
	})
	if isConditionFailed(err) {
		return false, nil // rewritten or deleted meanwhile
	}
	if err != nil {
		return false, err
	}
	s.removeChunksOf(ctx, key, out.Attributes, "")
	return true, nil
}
