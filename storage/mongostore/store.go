package mongostore

import (
	"context"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// Field names of a cache document.
const (
	fieldID      = "_id"
	fieldValue   = "value"
	fieldExpires = "expires"
)

// store is one collection of a cache_name database: the Responses or the
// Redirects of a Backend made by New or Open. It implements
// storage.Storage, storage.ExpiringWriter, storage.BulkDeleter and
// storage.Pruner, and is safe for concurrent use.
type store struct {
	coll   *mongo.Collection
	ns     string // "<database>.<collection>", for errors
	conn   *conn
	closed storeutil.Closed
}

var (
	_ storage.Storage        = (*store)(nil)
	_ storage.ExpiringWriter = (*store)(nil)
	_ storage.BulkDeleter    = (*store)(nil)
	_ storage.Pruner         = (*store)(nil)
)

func newStore(coll *mongo.Collection, c *conn) *store {
	return &store{coll: coll, ns: coll.Database().Name() + "." + coll.Name(), conn: c}
}

// Close marks the store closed; later calls return errors wrapping
// storage.ErrClosed. A client the caller passed to New is never
// disconnected; one opened by Open (or storage.Open) is disconnected when the second
// storage of its Backend closes. Close is idempotent.
func (s *store) Close() error {
	if !s.closed.Close() {
		return nil
	}
	if err := s.conn.release(); err != nil {
		return s.wrap(context.Background(), err)
	}
	return nil
}

// conn is the client the two storages of one Backend share.
type conn struct {
	client *mongo.Client
	own    bool         // the store opened client and disconnects it
	refs   atomic.Int32 // storages not yet closed
}

// release is called once by each storage's Close; the last one disconnects
// a client the store opened itself.
func (c *conn) release() error {
	if !c.own || c.refs.Add(-1) != 0 {
		return nil
	}
	return c.disconnect()
}

func (c *conn) disconnect() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.client.Disconnect(ctx)
}

func byID(key string) bson.D { return bson.D{{Key: fieldID, Value: key}} }

// live matches the documents that have not expired at now: expires absent,
// null or after now.
func live(now time.Time) bson.D {
	return bson.D{{Key: fieldExpires, Value: bson.D{{Key: "$not", Value: bson.D{{Key: "$lte", Value: bson.NewDateTimeFromTime(now)}}}}}}
}

// expired reports whether doc's expires is at or before now.
func expired(doc bson.Raw, now time.Time) bool {
	t, ok := doc.Lookup(fieldExpires).TimeOK()
	return ok && !t.After(now)
}
