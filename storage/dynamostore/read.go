package dynamostore

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clientcache/clientcache/storage"
)

// Contains reports whether key holds a value that has not expired.
func (s *store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.check(ctx); err != nil {
		return false, s.wrap(err)
	}
	if err := checkKey(key); err != nil {
		return false, s.wrap(err)
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
		return false, s.wrap(err)
	}
	if len(out.Item) == 0 {
		return false, nil
	}
	exp, err := numberAttr(out.Item, attrExpires)
	if err != nil {
		return false, s.wrap(err)
	}
	return !expired(exp, time.Now()), nil
}

// Read returns the value stored under key. An absent or expired value gives
// an error wrapping storage.ErrNotFound.
func (s *store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, s.wrap(err)
	}
	if err := checkKey(key); err != nil {
		return nil, s.wrap(err)
	}
	v, err := s.read(ctx, key)
	return v, s.wrap(err)
}

func (s *store) read(ctx context.Context, key string) ([]byte, error) {
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
func (s *store) getHead(ctx context.Context, key string) (*head, error) {
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
func (s *store) dropBrokenHead(ctx context.Context, key, gen string) {
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
