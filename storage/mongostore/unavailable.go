package mongostore

import (
	"context"
	"errors"

	"github.com/clientcache/clientcache/storage/internal/storeutil"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Codes of the server's errors that say it cannot serve for now (shutting
// down, stepping down, overloaded) rather than that the request is wrong.
var transientCodes = map[int32]bool{
	6:     true, // HostUnreachable
	7:     true, // HostNotFound
	89:    true, // NetworkTimeout
	91:    true, // ShutdownInProgress
	189:   true, // PrimarySteppedDown
	262:   true, // ExceededTimeLimit
	9001:  true, // SocketException
	10107: true, // NotWritablePrimary
	11600: true, // InterruptedAtShutdown
	11602: true, // InterruptedDueToReplStateChange
	13435: true, // NotPrimaryNoSecondaryOk
	13436: true, // NotPrimaryOrSecondary
}

// unreachable reports whether err, the failure of a call made under ctx,
// means that the server could not be reached or cannot serve for now (an
// outage) rather than that the options are wrong (a mistake): no server
// selected in time, a network error or timeout, an expired deadline. An
// error the server answered with is a mistake (AuthenticationFailed, a
// refused command) unless its code says the server cannot serve for now. A
// caller's cancellation is neither: it is not an outage.
func unreachable(ctx context.Context, err error) bool {
	if err == nil || errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return false
	}
	if serverAnswered(err) {
		var ce mongo.CommandError
		errors.As(err, &ce)
		return transientCodes[ce.Code]
	}
	return mongo.IsTimeout(err) || mongo.IsNetworkError(err) || storeutil.NetworkFailure(err)
}
