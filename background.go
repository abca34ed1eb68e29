package clientcache

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Bounds of the work that no caller waits for.
const (
	// backgroundTimeout bounds one background revalidation.
	backgroundTimeout = time.Minute
	// closeGrace is how long Close lets background revalidations finish
	// (and store what they fetched) before it cancels them.
	closeGrace = 4 * time.Second
	// closeCancelled is how long Close then waits for the cancelled ones
	// to return.
	closeCancelled = time.Second
)

// errBackgroundRunning is returned by Close when cancelled revalidations
// did not return in time.
var errBackgroundRunning = errors.New("clientcache: background revalidations still running after Close")

// background tracks the revalidations that no caller waits for
// (stale-while-revalidate), so that Wait and Close can wait for them without
// leaving a goroutine behind, and Close can cancel them.
type background struct {
	mu      sync.Mutex
	running int
	idle    chan struct{} // closed while running == 0
	ctx     context.Context
	cancel  context.CancelFunc
	// grace and cancelled are closeGrace and closeCancelled (shorter in
	// tests).
	grace, cancelled time.Duration
}

func newBackground() *background {
	b := &background{idle: make(chan struct{}), grace: closeGrace, cancelled: closeCancelled}
	close(b.idle)
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b
}

// start registers one job and returns its context: parent's values, no
// deadline but backgroundTimeout, cancelled by stop. ok is false once stop
// was called: no new job starts.
func (b *background) start(parent context.Context) (ctx context.Context, done func(), ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx.Err() != nil {
		return nil, nil, false
	}
	if b.running == 0 {
		b.idle = make(chan struct{})
	}
	b.running++
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), backgroundTimeout)
	unhook := context.AfterFunc(b.ctx, cancel)
	return ctx, func() {
		unhook()
		cancel()
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.running--; b.running == 0 {
			close(b.idle)
		}
	}, true
}

// wait blocks until no job runs, or ctx ends.
func (b *background) wait(ctx context.Context) error {
	b.mu.Lock()
	idle := b.idle
	b.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close lets running jobs finish for closeGrace, then cancels the rest and
// waits closeCancelled for them; no job starts afterwards.
func (b *background) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), b.grace)
	defer cancel()
	err := b.wait(ctx)
	b.mu.Lock()
	b.cancel()
	b.mu.Unlock()
	if err == nil {
		return nil
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), b.cancelled)
	defer cancel2()
	if b.wait(ctx2) != nil {
		return errBackgroundRunning
	}
	return nil
}
