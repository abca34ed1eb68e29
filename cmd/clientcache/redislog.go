package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// go-redis prints its own messages ("failed to dial after 5 attempts") on
// stderr, several lines for one failure that redisstore already reports in
// its error. Send them to slog at Debug level instead: -v shows them.
func init() { redis.SetLogger(redisLogger{}) }

type redisLogger struct{}

func (redisLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.Default().DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
