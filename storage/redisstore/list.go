package redisstore

import (
	"context"
	"errors"
	"iter"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// globEscape escapes the characters that are special in a Redis glob
// pattern, so that a cache_name such as "a*b" matches only itself.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '*', '?', '[', ']':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nodes returns the clients to SCAN: every master of a Cluster, every live
// shard of a Ring, or the client itself.
func (s *store) nodes(ctx context.Context) ([]redis.Cmdable, error) {
	var (
		mu  sync.Mutex
		out []redis.Cmdable
	)
	collect := func(_ context.Context, c *redis.Client) error {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, c)
		return nil
	}
	var err error
	switch c := s.conn.client.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, collect)
	case *redis.Ring:
		err = c.ForEachShard(ctx, collect)
	default:
		out = []redis.Cmdable{c}
	}
	return out, err
}

// scan calls page with each batch of the namespace's Redis keys that SCAN
// returns, node by node, until page returns false. SCAN may return a key
// twice; page sees it twice.
func (s *store) scan(ctx context.Context, page func([]string) bool) error {
	nodes, err := s.nodes(ctx)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		var cursor uint64
		for {
			if err := s.closed.Check(ctx); err != nil {
				return err
			}
			var keys []string
			keys, cursor, err = n.Scan(ctx, cursor, s.match, int64(s.opts.ScanCount)).Result()
			if err != nil {
				return err
			}
			if len(keys) > 0 && !page(keys) {
				return nil
			}
			if cursor == 0 {
				break
			}
		}
	}
	return nil
}

// scanKeys is scan without duplicates, yielding the keys without the prefix.
func (s *store) scanKeys(ctx context.Context, fn func(key string) bool) error {
	seen := map[string]struct{}{}
	return s.scan(ctx, func(page []string) bool {
		for _, rk := range page {
			k, ok := strings.CutPrefix(rk, s.prefix)
			if !ok {
				continue
			}
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			if !fn(k) {
				return false
			}
		}
		return true
	})
}

// Keys yields every key of the namespace, each once, in no particular order.
// SCAN may return a key twice, so the iteration remembers the keys it has
// yielded: its memory grows with the namespace. A failure is yielded last,
// as ("", err).
func (s *store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if err := s.check(ctx); err != nil {
			yield("", err)
			return
		}
		stopped := false
		err := s.scanKeys(ctx, func(k string) bool {
			stopped = !yield(k, nil)
			return !stopped
		})
		if err != nil && !stopped {
			yield("", s.fail(ctx, err))
		}
	}
}

// Values yields every value of the namespace, in no particular order, each
// once. It fetches [Options.ValuesBatch] values per round trip; a key deleted
// between its SCAN and its GET is skipped. A failure is yielded last, as
// (nil, err).
func (s *store) Values(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if err := s.check(ctx); err != nil {
			yield(nil, err)
			return
		}
		var (
			batch   []string
			stopped bool
			getErr  error
		)
		flush := func() bool {
			vals, err := s.getMany(ctx, batch)
			batch = batch[:0]
			if err != nil {
				getErr = err
				return false
			}
			for _, v := range vals {
				if !yield(v, nil) {
					stopped = true
					return false
				}
			}
			return true
		}
		err := s.scanKeys(ctx, func(k string) bool {
			batch = append(batch, s.prefix+k)
			return len(batch) < s.opts.ValuesBatch || flush()
		})
		if err == nil && getErr == nil && !stopped && len(batch) > 0 {
			flush()
		}
		if err == nil {
			err = getErr
		}
		if err != nil && !stopped {
			yield(nil, s.fail(ctx, err))
		}
	}
}

// getMany GETs Redis keys in one pipeline, leaving out the absent ones.
func (s *store) getMany(ctx context.Context, keys []string) ([][]byte, error) {
	pipe := s.conn.client.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.Get(ctx, k)
	}
	// Exec reports the first failed command, and an absent key (redis.Nil)
	// counts; each command is checked below instead.
	_, _ = pipe.Exec(ctx)
	out := make([][]byte, 0, len(keys))
	for _, c := range cmds {
		v, err := c.Bytes()
		switch {
		case errors.Is(err, redis.Nil):
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Size returns the number of keys in the namespace, counted with SCAN.
func (s *store) Size(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	n := 0
	err := s.scanKeys(ctx, func(string) bool { n++; return true })
	if err != nil {
		return 0, s.fail(ctx, err)
	}
	return n, nil
}
