package mongostore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/storage"
)

// Field names of a cache document.
const (
	fieldID      = "_id"
	fieldValue   = "value"
	fieldExpires = "expires"
)

// Store is one collection of a cache_name database: the Responses or the
// Redirects of a Backend made by New, Open or Connect. It implements
// storage.Storage, storage.ExpiringWriter, storage.BulkDeleter and
// storage.Pruner, and is safe for concurrent use.
type Store struct {
	coll   *mongo.Collection
	ns     string // "<database>.<collection>", for errors
	conn   *conn
	closed atomic.Bool
}

var (
	_ storage.Storage        = (*Store)(nil)
	_ storage.ExpiringWriter = (*Store)(nil)
	_ storage.BulkDeleter    = (*Store)(nil)
	_ storage.Pruner         = (*Store)(nil)
)

func newStore(coll *mongo.Collection, c *conn) *Store {
	return &Store{coll: coll, ns: coll.Database().Name() + "." + coll.Name(), conn: c}
}

// Read returns the value under key. A missing or expired document gives an
// error wrapping storage.ErrNotFound.
func (s *Store) Read(ctx context.Context, key string) ([]byte, error) {
	const op = "read"
	if err := s.begin(ctx, op, key); err != nil {
		return nil, err
	}
	proj := bson.D{{Key: fieldValue, Value: 1}, {Key: fieldExpires, Value: 1}}
	doc, err := s.coll.FindOne(ctx, byID(key), options.FindOne().SetProjection(proj)).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, s.wrap(ctx, op, key, storage.ErrNotFound)
	}
	if err != nil {
		return nil, s.wrap(ctx, op, key, err)
	}
	if expired(doc, time.Now()) {
		return nil, s.wrap(ctx, op, key, storage.ErrNotFound)
	}
	subtype, data, ok := doc.Lookup(fieldValue).BinaryOK()
	if !ok || (subtype != bson.TypeBinaryGeneric && subtype != bson.TypeBinaryBinaryOld) {
		return nil, s.wrap(ctx, op, key, errors.New("the document's value is not generic binary data"))
	}
	return bytes.Clone(data), nil
}

// Contains reports whether key holds a value that has not expired.
func (s *Store) Contains(ctx context.Context, key string) (bool, error) {
	const op = "contains"
	if err := s.begin(ctx, op, key); err != nil {
		return false, err
	}
	proj := bson.D{{Key: fieldExpires, Value: 1}}
	doc, err := s.coll.FindOne(ctx, byID(key), options.FindOne().SetProjection(proj)).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, s.wrap(ctx, op, key, err)
	}
	return !expired(doc, time.Now()), nil
}

// Write stores value under key with no expiry, replacing any previous
// document (and its expiry).
func (s *Store) Write(ctx context.Context, key string, value []byte) error {
	return s.write(ctx, "write", key, value, time.Time{})
}

// WriteWithExpiry stores value under key until expires; a zero expires means
// never, as Write. An expires already past is accepted: the document is
// absent to reads at once and removed by the TTL monitor or DeleteExpired.
func (s *Store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.write(ctx, "write with expiry", key, value, expires)
}

func (s *Store) write(ctx context.Context, op, key string, value []byte, expires time.Time) error {
	if err := s.begin(ctx, op, key); err != nil {
		return err
	}
	doc := bson.D{
		{Key: fieldID, Value: key},
		// bson.Binary stores a nil value as empty binary data, not as null.
		{Key: fieldValue, Value: bson.Binary{Subtype: bson.TypeBinaryGeneric, Data: value}},
	}
	if !expires.IsZero() {
		doc = append(doc, bson.E{Key: fieldExpires, Value: bson.NewDateTimeFromTime(expires)})
	}
	upsert := options.Replace().SetUpsert(true)
	var err error
	// Two upserts of a new key can race to insert it; MongoDB retries that
	// itself since 4.2, other servers may not, so retry once here: the
	// document exists by then and the replace updates it.
	for range 2 {
		if _, err = s.coll.ReplaceOne(ctx, byID(key), doc, upsert); !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	if err != nil {
		return s.wrap(ctx, op, key, err)
	}
	return nil
}

// Delete removes key; deleting an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	const op = "delete"
	if err := s.begin(ctx, op, key); err != nil {
		return err
	}
	if _, err := s.coll.DeleteOne(ctx, byID(key)); err != nil {
		return s.wrap(ctx, op, key, err)
	}
	return nil
}

// DeleteMany removes keys, ignoring absent ones, with one deleteMany command
// per 40 keys.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	const op = "delete many"
	if err := s.begin(ctx, op, ""); err != nil {
		return err
	}
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), deleteChunk)]
		keys = keys[len(chunk):]
		filter := bson.D{{Key: fieldID, Value: bson.D{{Key: "$in", Value: chunk}}}}
		if _, err := s.coll.DeleteMany(ctx, filter); err != nil {
			what := fmt.Sprintf("%d keys from %q to %q", len(chunk), chunk[0], chunk[len(chunk)-1])
			return s.wrapAt(ctx, op, what, err)
		}
	}
	return nil
}

// DeleteExpired removes the documents whose expires is before now and
// returns how many it removed.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	const op = "delete expired"
	if err := s.begin(ctx, op, ""); err != nil {
		return 0, err
	}
	filter := bson.D{{Key: fieldExpires, Value: bson.D{{Key: "$lt", Value: bson.NewDateTimeFromTime(now)}}}}
	res, err := s.coll.DeleteMany(ctx, filter)
	if err != nil {
		return 0, s.wrap(ctx, op, "", err)
	}
	return int(res.DeletedCount), nil
}

// Clear deletes every document of this collection and nothing else: the
// other collection, the indexes and the database stay.
func (s *Store) Clear(ctx context.Context) error {
	const op = "clear"
	if err := s.begin(ctx, op, ""); err != nil {
		return err
	}
	if _, err := s.coll.DeleteMany(ctx, bson.D{}); err != nil {
		return s.wrap(ctx, op, "", err)
	}
	return nil
}

// Size returns the number of documents that have not expired.
func (s *Store) Size(ctx context.Context) (int, error) {
	const op = "size"
	if err := s.begin(ctx, op, ""); err != nil {
		return 0, err
	}
	n, err := s.coll.CountDocuments(ctx, live(time.Now()))
	if err != nil {
		return 0, s.wrap(ctx, op, "", err)
	}
	return int(n), nil
}

// Close marks the store closed; later calls return errors wrapping
// storage.ErrClosed. A client the caller passed to New is never
// disconnected; one opened by Open or Connect is disconnected when the second
// storage of its Backend closes. Close is idempotent.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.conn.release(); err != nil {
		return s.wrap(context.Background(), "close", "", err)
	}
	return nil
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
