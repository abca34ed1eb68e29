package redisstore

import (
	"context"
	"errors"

	"github.com/clientcache/clientcache/storage/internal/storeutil"
	"github.com/redis/go-redis/v9"
)

// unreachable reports whether err, the failure of a call made under ctx,
// means that Redis could not be reached or cannot serve for now (an outage)
// rather than that the options are wrong (a mistake). A caller's
// cancellation is neither: it is not an outage.
func unreachable(ctx context.Context, err error) bool {
	if err == nil || errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return false
	}
	var rerr redis.Error
	if errors.As(err, &rerr) {
		// Redis answered: a mistake (WRONGPASS, NOAUTH, NOPERM, a database
		// out of range, ...) unless it says it cannot serve yet.
		return redis.IsLoadingError(err) || redis.IsClusterDownError(err) ||
			redis.IsTryAgainError(err) || redis.IsMasterDownError(err) ||
			redis.IsMaxClientsError(err) || redis.HasErrorPrefix(err, "BUSY ")
	}
	return errors.Is(err, redis.ErrPoolTimeout) || storeutil.NetworkFailure(err)
}
