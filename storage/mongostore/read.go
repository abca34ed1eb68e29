package mongostore

import (
	"bytes"
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/storage"
)

// Read returns the value under key. A missing or expired document gives an
// error wrapping storage.ErrNotFound.
func (s *store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	proj := bson.D{{Key: fieldValue, Value: 1}, {Key: fieldExpires, Value: 1}}
	doc, err := s.coll.FindOne(ctx, byID(key), options.FindOne().SetProjection(proj)).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, s.wrap(ctx, storage.ErrNotFound)
	}
	if err != nil {
		return nil, s.wrap(ctx, err)
	}
	if expired(doc, time.Now()) {
		return nil, s.wrap(ctx, storage.ErrNotFound)
	}
	subtype, data, ok := doc.Lookup(fieldValue).BinaryOK()
	if !ok || (subtype != bson.TypeBinaryGeneric && subtype != bson.TypeBinaryBinaryOld) {
		return nil, s.wrap(ctx, errors.New("the document's value is not generic binary data"))
	}
	return bytes.Clone(data), nil
}

// Contains reports whether key holds a value that has not expired.
func (s *store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.begin(ctx); err != nil {
		return false, err
	}
	proj := bson.D{{Key: fieldExpires, Value: 1}}
	doc, err := s.coll.FindOne(ctx, byID(key), options.FindOne().SetProjection(proj)).Raw()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, s.wrap(ctx, err)
	}
	return !expired(doc, time.Now()), nil
}
