package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/clientcache/clientcache/storage"
)

// begin returns the error an operation gives without a round trip: the
// store is closed, or ctx is already done.
func (s *Store) begin(ctx context.Context, op, key string) error {
	if s.closed.Load() {
		return s.wrap(ctx, op, key, storage.ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return s.wrap(ctx, op, key, err)
	}
	return nil
}

// wrap wraps err once with the operation, the namespace and the key (when
// there is one).
func (s *Store) wrap(ctx context.Context, op, key string, err error) error {
	what := ""
	if key != "" {
		what = fmt.Sprintf("key %q", key)
	}
	return s.wrapAt(ctx, op, what, err)
}

func (s *Store) wrapAt(ctx context.Context, op, what string, err error) error {
	if s.closed.Load() && errors.Is(err, mongo.ErrClientDisconnected) {
		// Closed while the operation ran.
		err = fmt.Errorf("%w: %w", storage.ErrClosed, err)
	}
	err = contextCause(ctx, err)
	if what == "" {
		return fmt.Errorf("mongostore: %s %s: %w", op, s.ns, err)
	}
	return fmt.Errorf("mongostore: %s %s %s: %w", op, s.ns, what, err)
}

// contextCause makes err wrap ctx.Err() when ctx is done, for the driver's
// errors that report a cancelled or expired context without wrapping it.
func contextCause(ctx context.Context, err error) error {
	cerr := ctx.Err()
	if cerr == nil || errors.Is(err, cerr) {
		return err
	}
	return fmt.Errorf("%w: %w", cerr, err)
}
