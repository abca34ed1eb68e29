package redisstore

import (
	"context"
	"time"
)

// Write stores value under key without a TTL, replacing any earlier value
// and TTL.
func (s *store) Write(ctx context.Context, key string, value []byte) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := s.conn.client.Set(ctx, s.prefix+key, value, 0).Err(); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// WriteWithExpiry stores value under key with a TTL that ends at expires
// (millisecond precision, rounded up). A zero expires means no TTL, as
// Write. An expires already past deletes the key: the value would be gone
// at once anyway.
func (s *store) WriteWithExpiry(ctx context.Context, key string, value []byte, expires time.Time) error {
	if expires.IsZero() {
		return s.Write(ctx, key, value)
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	k := s.prefix + key
	ttl := time.Until(expires)
	if ttl <= 0 {
		if err := s.conn.client.Unlink(ctx, k).Err(); err != nil {
			return s.fail(ctx, err)
		}
		return nil
	}
	if r := ttl % time.Millisecond; r != 0 {
		ttl += time.Millisecond - r
	}
	if err := s.conn.client.Set(ctx, k, value, ttl).Err(); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}
