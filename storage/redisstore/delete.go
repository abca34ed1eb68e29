package redisstore

import (
	"context"

	"github.com/redis/go-redis/v9"
)

// Delete removes key. Deleting an absent key is not an error.
func (s *store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := s.conn.client.Unlink(ctx, s.prefix+key).Err(); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// DeleteMany removes keys, ignoring absent ones, in as few round trips as
// the client allows: one UNLINK per 500 keys on a single node, one pipeline
// of single-key UNLINKs (one round trip per node) on a Cluster.
func (s *store) DeleteMany(ctx context.Context, keys []string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = s.prefix + k
	}
	if err := s.unlink(ctx, full); err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// Clear deletes every key of the namespace, page by page as SCAN finds them,
// and nothing else.
func (s *store) Clear(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	var delErr error
	err := s.scan(ctx, func(page []string) bool {
		delErr = s.unlink(ctx, page)
		return delErr == nil
	})
	if err == nil {
		err = delErr
	}
	if err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

// unlink deletes Redis keys. A multi-key UNLINK must not span hash slots on
// a Cluster (CROSSSLOT) nor shards on a Ring, so only a single-node client
// gets one; the others get one single-key UNLINK per key in a pipeline,
// which go-redis sends to each node in one round trip.
func (s *store) unlink(ctx context.Context, full []string) error {
	const chunk = 500
	single, _ := s.conn.client.(*redis.Client)
	for len(full) > 0 {
		n := min(chunk, len(full))
		part := full[:n]
		full = full[n:]
		if single != nil {
			if err := single.Unlink(ctx, part...).Err(); err != nil {
				return err
			}
			continue
		}
		pipe := s.conn.client.Pipeline()
		for _, k := range part {
			pipe.Unlink(ctx, k)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
