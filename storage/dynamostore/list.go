package dynamostore

import (
	"context"
	"errors"
	"iter"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/storage"
)

// scanLive is a Scan of the namespace's live head items: those under the
// head prefix that have not expired at now.
func (s *store) scanLive(now time.Time) *dynamodb.ScanInput {
	return &dynamodb.ScanInput{
		TableName:                aws.String(s.t.name),
		ConsistentRead:           aws.Bool(true),
		FilterExpression:         aws.String("begins_with(#k, :p) AND (attribute_not_exists(#e) OR #e > :now)"),
		ExpressionAttributeNames: map[string]string{"#k": attrKey, "#e": attrExpires},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p":   attrS(headPrefix(s.ns)),
			":now": attrN(now.Unix()),
		},
	}
}

// scanAll is a Scan of every item of the namespace, heads and chunks alike.
func (s *store) scanAll() *dynamodb.ScanInput {
	return &dynamodb.ScanInput{
		TableName:                aws.String(s.t.name),
		ConsistentRead:           aws.Bool(true),
		FilterExpression:         aws.String("begins_with(#k, :h) OR begins_with(#k, :c)"),
		ProjectionExpression:     aws.String("#k"),
		ExpressionAttributeNames: map[string]string{"#k": attrKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":h": attrS(headPrefix(s.ns)),
			":c": attrS(chunkPrefix(s.ns)),
		},
	}
}

// scan runs in page by page, calling page with each page's items until the
// table has been read or page returns false or an error.
func (s *store) scan(ctx context.Context, in *dynamodb.ScanInput, page func(out *dynamodb.ScanOutput) (bool, error)) error {
	for {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		var out *dynamodb.ScanOutput
		err := s.t.do(ctx, func(ctx context.Context) (err error) {
			out, err = s.t.client.Scan(ctx, in)
			return err
		})
		if err != nil {
			return err
		}
		more, err := page(out)
		if err != nil || !more || len(out.LastEvaluatedKey) == 0 {
			return err
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// keyOfItem returns the cache key of a head item of the namespace.
func (s *store) keyOfItem(item map[string]types.AttributeValue) (string, bool) {
	k, ok := item[attrKey].(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return strings.CutPrefix(k.Value, headPrefix(s.ns))
}

// errStop ends a scan early without an error.
var errStop = errors.New("stop")

// Keys yields every key of the namespace that holds a value that has not
// expired, from a strongly consistent Scan of the table, page by page.
func (s *store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := s.check(ctx); err != nil {
			yield("", s.wrap(err))
			return
		}
		in := s.scanLive(time.Now())
		in.ProjectionExpression = aws.String("#k")
		err := s.scan(ctx, in, func(out *dynamodb.ScanOutput) (bool, error) {
			for _, item := range out.Items {
				if k, ok := s.keyOfItem(item); ok && !yield(k, nil) {
					return false, errStop
				}
			}
			return true, nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield("", s.wrap(err))
		}
	}
}

// Values yields every value of the namespace that has not expired. Inline
// values come with the Scan's pages; a chunked value is read as Read does,
// and skipped if it was deleted meanwhile.
func (s *store) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if err := s.check(ctx); err != nil {
			yield(nil, s.wrap(err))
			return
		}
		err := s.scan(ctx, s.scanLive(time.Now()), func(out *dynamodb.ScanOutput) (bool, error) {
			for _, item := range out.Items {
				key, ok := s.keyOfItem(item)
				if !ok {
					continue
				}
				h, err := parseHead(item)
				if err != nil {
					return false, err
				}
				v := h.value
				if h.chunked() {
					v, err = s.read(ctx, key)
					if errors.Is(err, storage.ErrNotFound) {
						continue
					}
					if err != nil {
						return false, err
					}
				}
				if !yield(v, nil) {
					return false, errStop
				}
			}
			return true, nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(nil, s.wrap(err))
		}
	}
}

// Size returns the number of keys of the namespace whose values have not
// expired, counted by a strongly consistent Scan.
func (s *store) Size(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, s.wrap(err)
	}
	in := s.scanLive(time.Now())
	in.Select = types.SelectCount
	n := 0
	err := s.scan(ctx, in, func(out *dynamodb.ScanOutput) (bool, error) {
		n += int(out.Count)
		return true, nil
	})
	if err != nil {
		return 0, s.wrap(err)
	}
	return n, nil
}

// partitionKeys returns the partition keys of items.
func partitionKeys(items []map[string]types.AttributeValue) []string {
	ks := make([]string, 0, len(items))
	for _, item := range items {
		if k, ok := item[attrKey].(*types.AttributeValueMemberS); ok {
			ks = append(ks, k.Value)
		}
	}
	return ks
}
