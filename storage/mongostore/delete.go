package mongostore

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Delete removes key; deleting an absent key is not an error.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if _, err := s.coll.DeleteOne(ctx, byID(key)); err != nil {
		return s.wrap(ctx, err)
	}
	return nil
}

// DeleteMany removes keys, ignoring absent ones, with one deleteMany command
// per 40 keys.
func (s *store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), deleteChunk)]
		keys = keys[len(chunk):]
		filter := bson.D{{Key: fieldID, Value: bson.D{{Key: "$in", Value: chunk}}}}
		if _, err := s.coll.DeleteMany(ctx, filter); err != nil {
			return s.wrap(ctx, err)
		}
	}
	return nil
}

// DeleteExpired removes the documents whose expires is before now and
// returns how many it removed.
func (s *store) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	if err := s.begin(ctx); err != nil {
		return 0, err
	}
	filter := bson.D{{Key: fieldExpires, Value: bson.D{{Key: "$lt", Value: bson.NewDateTimeFromTime(now)}}}}
	res, err := s.coll.DeleteMany(ctx, filter)
	if err != nil {
		return 0, s.wrap(ctx, err)
	}
	return int(res.DeletedCount), nil
}

// Clear deletes every document of this collection and nothing else: the
// other collection, the indexes and the database stay.
func (s *store) Clear(ctx context.Context) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if _, err := s.coll.DeleteMany(ctx, bson.D{}); err != nil {
		return s.wrap(ctx, err)
	}
	return nil
}
