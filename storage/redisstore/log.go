package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"
)

// go-redis writes messages of its own ("failed to dial after 5 attempts")
// through one logger for the whole process, to standard error by default:
// outside slog, and beside a failure the store already returns as an error.
// This package sets that logger once, when it is initialised, so that the
// caller's later redis.SetLogger, if any, wins. See "Logging" in the package
// doc.
func init() { redis.SetLogger(slogLogger{}) }

// slogLogger is go-redis's logger while this package is imported: it hands
// each message to slog.Default(), as it is when the message is written, at
// level Debug, prefixed "redis: " once.
type slogLogger struct{}

func (slogLogger) Printf(ctx context.Context, format string, v ...any) {
	if ctx == nil {
		ctx = context.Background()
	}
	l := slog.Default()
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	msg := strings.TrimSpace(fmt.Sprintf(format, v...))
	if !strings.HasPrefix(msg, "redis: ") {
		msg = "redis: " + msg
	}
	l.DebugContext(ctx, msg)
}
