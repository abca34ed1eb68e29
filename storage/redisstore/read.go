package redisstore

import (
	"context"
	"errors"

	"github.com/clientcache/clientcache/storage"
	"github.com/redis/go-redis/v9"
)

// Contains reports whether key holds a value.
func (s *store) Contains(ctx context.Context, key string) (bool, error) {
	if err := s.check(ctx); err != nil {
		return false, err
	}
	n, err := s.conn.client.Exists(ctx, s.prefix+key).Result()
	if err != nil {
		return false, s.fail(ctx, err)
	}
	return n > 0, nil
}

// Read returns the value under key, or an error wrapping
// [storage.ErrNotFound] when there is none.
func (s *store) Read(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	v, err := s.conn.client.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, storage.ErrNotFound // a miss is common: no wrapping to allocate
	}
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return v, nil
}
