package mongostore

import (
	"bytes"
	"context"
	"iter"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// cursorCloseTimeout bounds the killCursors sent when an iteration stops
// early, even when the iteration's context is already done.
const cursorCloseTimeout = 5 * time.Second

// Keys yields the key of every document that has not expired, from one find
// cursor (projection {_id: 1}). Stopping early closes the cursor on the
// server.
func (s *store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for doc, err := range s.scan(ctx, bson.D{{Key: fieldID, Value: 1}}) {
			if err != nil {
				yield("", err)
				return
			}
			// Documents another program put here with a non-string _id are
			// not the cache's: skip them.
			if key, ok := doc.Lookup(fieldID).StringValueOK(); ok && !yield(key, nil) {
				return
			}
		}
	}
}

// Values yields the value of every document that has not expired, from one
// find cursor (projection {value: 1}). Each slice is a fresh copy. Stopping
// early closes the cursor on the server.
func (s *store) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for doc, err := range s.scan(ctx, bson.D{{Key: fieldValue, Value: 1}}) {
			if err != nil {
				yield(nil, err)
				return
			}
			_, data, ok := doc.Lookup(fieldValue).BinaryOK()
			if ok && !yield(bytes.Clone(data), nil) {
				return
			}
		}
	}
}

// scan yields the live documents of the collection with projection proj.
// A yielded document is valid only until the next one.
func (s *store) scan(ctx context.Context, proj bson.D) iter.Seq2[bson.Raw, error] {
	return func(yield func(bson.Raw, error) bool) {
		if err := s.begin(ctx); err != nil {
			yield(nil, err)
			return
		}
		cur, err := s.coll.Find(ctx, live(time.Now()), options.Find().SetProjection(proj))
		if err != nil {
			yield(nil, s.wrap(ctx, err))
			return
		}
		defer closeCursor(ctx, cur)
		for cur.Next(ctx) {
			if !yield(cur.Current, nil) {
				return
			}
		}
		if err := cur.Err(); err != nil {
			yield(nil, s.wrap(ctx, err))
		}
	}
}

// closeCursor closes cur, with a context of its own so that the server's
// cursor is released even when ctx is done.
func closeCursor(ctx context.Context, cur *mongo.Cursor) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cursorCloseTimeout)
	defer cancel()
	_ = cur.Close(cctx)
}

// Size returns the number of documents that have not expired.
func (s *store) Size(ctx context.Context) (int, error) {
	if err := s.begin(ctx); err != nil {
		return 0, err
	}
	n, err := s.coll.CountDocuments(ctx, live(time.Now()))
	if err != nil {
		return 0, s.wrap(ctx, err)
	}
	return int(n), nil
}
