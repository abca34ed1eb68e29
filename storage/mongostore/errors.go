package mongostore

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/internal/storeutil"
)

// begin returns the error an operation gives without a round trip: the
// store is closed, or ctx is already done.
func (s *store) begin(ctx context.Context) error {
	if err := s.closed.Check(ctx); err != nil {
		return s.wrap(ctx, err)
	}
	return nil
}

// wrap wraps err once with the store's name and namespace
// ("<database>.<collection>"); the core adds the operation and the key.
func (s *store) wrap(ctx context.Context, err error) error {
	if s.closed.IsClosed() && errors.Is(err, mongo.ErrClientDisconnected) {
		// Closed while the operation ran.
		err = fmt.Errorf("%w: %w", storage.ErrClosed, err)
	}
	return &storeutil.Error{Store: "mongostore", Namespace: s.ns, Err: contextCause(ctx, err)}
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
