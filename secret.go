package clientcache

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clientcache/clientcache/internal/cachekey"
	"github.com/clientcache/clientcache/storage"
)

// The key secret keys the digests that stand for credentials in cache keys
// and Vary selections (cachekey.MAC). By default it is kept in the store, in
// the Redirects namespace under secretKey, so that every process sharing a
// store derives the same keys and a cache survives restarts. Options.KeySecret
// keeps it out of the store instead.
const (
	// secretKey is where the store keeps the secret. Alias keys are hex
	// digests, so it cannot collide with one.
	secretKey = "clientcache:key-secret:v1"
	// secretSize is the size of a secret the cache makes.
	secretSize = 32
	// secretRetry is how long a failure to read or create the secret is
	// remembered: requests with credentials bypass the cache meanwhile,
	// rather than each waiting for a sick store.
	secretRetry = 5 * time.Second
	// secretLoadTimeout bounds one attempt to read or create the secret.
	secretLoadTimeout = 5 * time.Second
	// secretWait bounds how long a request waits for that attempt: past
	// it, the request bypasses the cache rather than wait on a slow store.
	secretWait = time.Second
)

// errNoSecret says why a request with credentials bypassed the cache.
var errNoSecret = errors.New("clientcache: the key secret could not be read or created in the store")

// secretSource loads the key secret once, on the first request that needs
// it, and remembers it for the life of the Transport.
type secretSource struct {
	store  storage.Storage // nil with a fixed secret
	now    func() time.Time
	logger *slog.Logger

	known atomic.Pointer[knownSecret]

	mu        sync.Mutex
	loading   chan struct{} // closed when the attempt under way ends; nil when none
	failedAt  time.Time
	lastError error
}

type knownSecret struct {
	raw []byte
	mac *cachekey.MAC
}

func newSecretSource(fixed []byte, store storage.Storage, now func() time.Time, logger *slog.Logger) *secretSource {
	s := &secretSource{now: now, logger: logger}
	if fixed != nil {
		s.known.Store(&knownSecret{mac: cachekey.NewMAC(fixed)})
	} else {
		s.store = store
	}
	return s
}

// loaded returns the MAC if the secret is already known, else nil.
func (s *secretSource) loaded() *cachekey.MAC {
	if k := s.known.Load(); k != nil {
		return k.mac
	}
	return nil
}

// get returns the MAC, reading the secret from the store, or creating it
// there, the first time. One attempt runs at a time, on its own goroutine
// and bounded by secretLoadTimeout, with no lock held over the store's I/O:
// callers wait for it at most secretWait, and no longer than their own
// context allows.
func (s *secretSource) get(ctx context.Context) (*cachekey.MAC, error) {
	if m := s.loaded(); m != nil {
		return m, nil
	}
	s.mu.Lock()
	if m := s.loaded(); m != nil {
		s.mu.Unlock()
		return m, nil
	}
	if s.loading == nil {
		if !s.failedAt.IsZero() && s.now().Sub(s.failedAt) < secretRetry {
			err := s.lastError
			s.mu.Unlock()
			return nil, err
		}
		s.loading = make(chan struct{})
		go s.attempt(context.WithoutCancel(ctx))
	}
	wait := s.loading
	s.mu.Unlock()
	timer := time.NewTimer(secretWait)
	defer timer.Stop()
	select {
	case <-wait:
	case <-timer.C:
		return nil, fmt.Errorf("%w: the store has not answered for %v", errNoSecret, secretWait)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if m := s.loaded(); m != nil {
		return m, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return nil, s.lastError
}

// attempt reads or creates the secret, once, for get, and wakes its callers.
func (s *secretSource) attempt(ctx context.Context) {
	loadCtx, cancel := context.WithTimeout(ctx, secretLoadTimeout)
	secret, err := s.load(loadCtx)
	cancel()
	s.mu.Lock()
	defer func() {
		close(s.loading)
		s.loading = nil
		s.mu.Unlock()
	}()
	if err != nil {
		s.failedAt, s.lastError = s.now(), fmt.Errorf("%w: %w", errNoSecret, err)
		// Logged once per attempt, not per request: requests with
		// credentials bypass the cache until an attempt succeeds. A
		// read-only store that never had a secret holds nothing stored
		// under one: that is no failure. A store out of order is logged
		// by the guard (storeguard.go), once.
		level := slog.LevelWarn
		if errors.Is(err, storage.ErrReadOnly) || errors.Is(err, storage.ErrUnavailable) {
			level = slog.LevelDebug
		}
		s.logger.Log(ctx, level, "clientcache: requests with credentials bypass the cache: the key secret could not be read or created", "retry", secretRetry, "err", err)
		return
	}
	s.known.Store(&knownSecret{raw: secret, mac: cachekey.NewMAC(secret)})
}

// load reads the store's secret, or makes one and writes it. Two processes
// making one at once both write; each then reads back what won, so that
// they agree unless a read races the other's write. A process that kept
// another secret only misses: keys made with different secrets never meet.
func (s *secretSource) load(ctx context.Context) ([]byte, error) {
	v, err := s.store.Read(ctx, secretKey)
	if err == nil && len(v) == secretSize {
		return v, nil
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	secret := make([]byte, secretSize)
	rand.Read(secret) // never fails (crypto/rand)
	if err := s.store.Write(ctx, secretKey, secret); err != nil {
		return nil, err
	}
	if v, err := s.store.Read(ctx, secretKey); err == nil && len(v) == secretSize {
		return v, nil
	}
	return secret, nil
}

// restore writes the secret back after Clear removed it, so that processes
// that hold it keep agreeing with those that will read it.
func (s *secretSource) restore(ctx context.Context) error {
	k := s.known.Load()
	if s.store == nil || k == nil {
		return nil
	}
	return s.store.Write(ctx, secretKey, k.raw)
}
