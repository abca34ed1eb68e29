package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Write stores value under key with no expiry, replacing any previous
// document (and its expiry).
func (s *store) Write(ctx context.Context, key string, value []byte) error {
	return s.write(ctx, key, value, time.Time{})
}

// WriteWithExpiry stores value under key until expires; a zero expires means
// never, as Write. An expires already past is accepted: the document is
// absent to reads at once and removed by the TTL monitor or DeleteExpired.
func (s *store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	return s.write(ctx, key, value, expires)
}

func (s *store) write(ctx context.Context, key string, value []byte, expires time.Time) error {
	if err := s.begin(ctx); err != nil {
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
		return s.wrap(ctx, err)
	}
	return nil
}
