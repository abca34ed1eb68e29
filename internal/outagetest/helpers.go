package outagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

// Patience bounds every wait for something that must happen (a server
// answering again, a call returning): the tests assert what happens, never
// how fast.
const Patience = 30 * time.Second

// OpDeadline is the deadline the tests give an operation on a server that
// does not answer.
const OpDeadline = 50 * time.Millisecond

// Serve starts a loopback server that runs handle on every connection it
// accepts, and returns its address, host:port. When t ends, it stops
// listening, closes every connection and waits for the handlers to return.
func Serve(t testing.TB, handle func(c net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// SilentServer starts a loopback server that accepts every connection and
// reads from it forever without answering, like a server that hangs, and
// returns its address. It stops when t ends.
func SilentServer(t testing.TB) string {
	t.Helper()
	return Serve(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
}

// ReturnsSoon runs call and returns its error, failing the test if call has
// not returned within Patience: a call that must end at its deadline but
// does not would otherwise hang the test.
func ReturnsSoon(t testing.TB, what string, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(Patience):
		t.Fatalf("%s did not return within %v", what, Patience)
		return nil
	}
}

// WantDeadline fails the test unless err says that the operation's deadline
// ran out: it wraps context.DeadlineExceeded.
func WantDeadline(t testing.TB, what string, err error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error", what)
	case errors.Is(err, context.DeadlineExceeded):
		t.Logf("%s: %v", what, err)
	default:
		t.Errorf("%s: %v, want an error wrapping context.DeadlineExceeded", what, err)
	}
}

// WantOpenAtDeadline calls open, a store's constructor, with a deadline of
// OpDeadline on a server that never answers (SilentServer): it must return
// within Patience an error wrapping both context.DeadlineExceeded and
// storage.ErrUnavailable, with a Backend (a Lazy one), which
// WantOpenAtDeadline closes. what names the call, for the messages.
func WantOpenAtDeadline(t testing.TB, what string, open func(ctx context.Context) (*storage.Backend, error)) {
	t.Helper()
	var b *storage.Backend
	err := ReturnsSoon(t, what, func() error {
		ctx, cancel := context.WithTimeout(t.Context(), OpDeadline)
		defer cancel()
		var err error
		b, err = open(ctx)
		return err
	})
	WantDeadline(t, what, err)
	if !errors.Is(err, storage.ErrUnavailable) || b == nil {
		t.Errorf("%s = (%v, %v), want a Backend and an error wrapping storage.ErrUnavailable", what, b, err)
	}
	if b != nil {
		_ = b.Close()
	}
}

// bigValue is what WantOpsAtDeadline writes, under the key "k".
var bigValue = bytes.Repeat([]byte("v"), 1<<10)

// WantOpsAtDeadline runs Read, Write, Contains and Delete of s, each with a
// deadline of OpDeadline, against a server that does not answer: each must
// return within Patience an error wrapping context.DeadlineExceeded. The
// Write writes 1 KiB under the key "k"; the Delete deletes "gone".
func WantOpsAtDeadline(t testing.TB, s storage.Storage) {
	t.Helper()
	ops := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Read", func(ctx context.Context) error { _, err := s.Read(ctx, "k"); return err }},
		{"Write", func(ctx context.Context) error { return s.Write(ctx, "k", bigValue) }},
		{"Contains", func(ctx context.Context) error { _, err := s.Contains(ctx, "k"); return err }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, "gone") }},
	}
	for _, op := range ops {
		what := op.name + " on a server that does not answer"
		err := ReturnsSoon(t, what, func() error {
			ctx, cancel := context.WithTimeout(t.Context(), OpDeadline)
			defer cancel()
			return op.run(ctx)
		})
		WantDeadline(t, what, err)
	}
}

// WantDeadlinesWhileHung is the test of a store s on a server that hangs,
// s being opened through p: it writes "v" under the key "k", makes p
// blackhole and checks WantOpsAtDeadline; then it makes p forward again and
// fails the test unless s reads "k" back within Patience (either "v" or the
// 1 KiB that the Write under a deadline may still have delivered).
func WantDeadlinesWhileHung(t testing.TB, p *Proxy, s storage.Storage) {
	t.Helper()
	if err := s.Write(minute(t), "k", []byte("v")); err != nil {
		t.Fatalf("Write with the server answering: %v", err)
	}
	p.Blackhole()
	WantOpsAtDeadline(t, s)
	p.Forward()
	// The store works again; connections the deadline broke are replaced.
	deadline := time.Now().Add(Patience)
	for {
		v, err := s.Read(minute(t), "k")
		if err == nil && (string(v) == "v" || bytes.Equal(v, bigValue)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Read after the server answered again = (%d bytes, %v)", len(v), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitWorks writes "works" under the key "lazy" to s until the write
// succeeds, as a Lazy Backend does once its server answers, and reads it
// back. It fails the test if the write does not succeed within Patience, or
// fails with an error other than an outage (storage.ErrUnavailable).
func WaitWorks(t testing.TB, s storage.Storage) {
	t.Helper()
	deadline := time.Now().Add(Patience)
	for tries := 1; ; tries++ {
		err := s.Write(minute(t), "lazy", []byte("works"))
		if err == nil {
			t.Logf("the store worked after %d tries", tries)
			break
		}
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Fatalf("Write while connecting: %v, want success or an error wrapping storage.ErrUnavailable", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not work within %v (%d tries): %v", Patience, tries, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v, err := s.Read(minute(t), "lazy"); err != nil || string(v) != "works" {
		t.Fatalf("Read once connected = (%q, %v), want (\"works\", nil)", v, err)
	}
}

// WantTimeout fails the test unless b and err, what a store's constructor
// (named what) returned, are a Backend whose Timeout is want and no error.
// It closes the Backend.
func WantTimeout(t testing.TB, what string, b *storage.Backend, err error, want time.Duration) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer b.Close()
	if b.Timeout != want {
		t.Errorf("%s: Backend.Timeout = %v, want %v", what, b.Timeout, want)
	}
}

// WantTimeoutOption checks the Backend.Timeout that a store's constructors
// set from its Options.Timeout: def for none (0), 2 s for 2 s, none for a
// negative one. Each of constructors, by name ("Open", "New"), opens a
// Backend with the Options.Timeout it is given.
func WantTimeoutOption(t testing.TB, def time.Duration, constructors map[string]func(timeout time.Duration) (*storage.Backend, error)) {
	t.Helper()
	for _, tc := range []struct {
		opt, want time.Duration
	}{{0, def}, {2 * time.Second, 2 * time.Second}, {-1, 0}} {
		for name, open := range constructors {
			b, err := open(tc.opt)
			WantTimeout(t, fmt.Sprintf("%s with Options.Timeout %v", name, tc.opt), b, err, tc.want)
		}
	}
}

// minute returns a context that ends a minute from now, or with t.
func minute(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// WantMistake fails the test unless b and err, what a store's constructor
// (named what) returned for options that are wrong, are no Backend and an
// error that does not mark an outage: a mistake is not an outage. It closes
// any Backend.
func WantMistake(t testing.TB, what string, b *storage.Backend, err error) {
	t.Helper()
	if err == nil {
		b.Close()
		t.Errorf("%s: opened", what)
		return
	}
	t.Logf("%s: %v", what, err)
	if errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("%s: error %q wraps storage.ErrUnavailable: a mistake is not an outage", what, err)
	}
	if b != nil {
		b.Close()
		t.Errorf("%s: a Backend came with the error", what)
	}
}
