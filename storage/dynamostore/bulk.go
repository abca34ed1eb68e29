package dynamostore

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DeleteMany deletes keys and their chunks; absent keys are ignored. It reads
// the heads' chunk lists with BatchGetItem (100 at a time, without the
// values), then deletes the heads and afterwards their chunks with
// BatchWriteItem, 25 at a time, resending unprocessed items.
//
// Unlike Delete, a batch delete cannot learn what it deleted: a chunked value
// written to one of keys between the two steps leaves its chunks behind as
// unreachable items, removed by the TTL sweep (when it has an expiry) or by
// Clear.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.check(ctx); err != nil {
		return s.wrap("delete many", "", err)
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
		return s.wrap("delete many", "", err)
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
		return s.wrap("delete many", "", err)
	}
	return s.wrap("delete many", "", s.t.batchDelete(ctx, chunks))
}

// DeleteExpired deletes the values whose expiry (from WriteWithExpiry) is
// at or before now, and returns how many. It finds them with a strongly
// consistent Scan, then deletes each head only if it is still expired (a
// value rewritten meanwhile is kept), with its chunks; orphaned chunks that
// have expired go too. Values that DynamoDB's TTL sweep removed first are
// not counted.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, s.wrap("delete expired", "", err)
	}
	in := s.scanAll()
	in.FilterExpression = aws.String("(begins_with(#k, :h) OR begins_with(#k, :c)) AND #e <= :now")
	in.ExpressionAttributeNames["#e"] = attrExpires
	in.ExpressionAttributeValues[":now"] = attrN(now.Unix())
	deleted := 0
	var errKey string
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
				errKey = key
				return false, err
			}
			if ok {
				deleted++
			}
		}
		return true, s.t.batchDelete(ctx, chunks)
	})
	return deleted, s.wrap("delete expired", errKey, err)
}

// deleteIfExpired deletes key's head, and then its chunks, if it is expired
// at now; it reports whether it did.
func (s *Store) deleteIfExpired(ctx context.Context, key string, now time.Time) (bool, error) {
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
