package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/clientcache/clientcache/internal/outagetest"
	"github.com/clientcache/clientcache/internal/sessiontest"
	"github.com/clientcache/clientcache/storage"
	"github.com/clientcache/clientcache/storage/mongostore"
)

// TestServerDownAtOpen checks that every constructor fails, promptly and
// naming the address, when nothing listens there, with an error that marks
// an outage and a Lazy Backend that fails at once.
func TestServerDownAtOpen(t *testing.T) {
	addr := hostPort(freePort(t))
	opts := &mongostore.Options{OpenTimeout: 2 * time.Second}
	for _, tc := range []struct {
		name string
		open func(ctx context.Context) (*storage.Backend, error)
	}{
		{"OpenURI", func(ctx context.Context) (*storage.Backend, error) {
			return mongostore.OpenURI(ctx, "mongodb://"+addr+"/down", opts)
		}},
		{"Open", func(ctx context.Context) (*storage.Backend, error) {
			return mongostore.Open(ctx, options.Client().ApplyURI("mongodb://user:secret@"+addr+"/"), opts)
		}},
		{"storage.Open", func(ctx context.Context) (*storage.Backend, error) {
			return storage.Open(ctx, "mongodb://user:secret@"+addr+"/down?serverSelectionTimeoutMS=1500")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := ctxFor(t, time.Minute)
			b, err := tc.open(ctx)
			if err == nil {
				b.Close()
				t.Fatalf("opened a store on %s, where nothing listens", addr)
			}
			if !strings.Contains(err.Error(), addr) {
				t.Errorf("error %q does not name the address %s", err, addr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
			t.Logf("error: %v", err)
			if !errors.Is(err, storage.ErrUnavailable) {
				t.Errorf("error %q does not wrap storage.ErrUnavailable", err)
			}
			if b == nil {
				t.Fatal("no Backend with the error")
			}
			defer b.Close()
			if b.Timeout != mongostore.DefaultTimeout {
				t.Errorf("the Lazy Backend's Timeout is %v, want %v", b.Timeout, mongostore.DefaultTimeout)
			}
			// Used, it fails at once, marked as an outage, never showing
			// the password.
			_, err = b.Responses.Read(ctx, "k")
			if !errors.Is(err, storage.ErrUnavailable) {
				t.Errorf("Read on the Lazy Backend = %v, want an error wrapping storage.ErrUnavailable", err)
			}
			// Again once an attempt of its own has failed.
			deadline := time.Now().Add(outagetest.Patience)
			for err != nil && !strings.Contains(err.Error(), addr) && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				_, err = b.Responses.Read(ctx, "k")
			}
			if err == nil || strings.Contains(err.Error(), "secret") {
				t.Errorf("Read on the Lazy Backend = %v, want an error without the password", err)
			}
		})
	}
}

func TestBadArguments(t *testing.T) {
	ctx := ctxFor(t, time.Minute)
	for _, tc := range []struct {
		name, want string
		open       func() (*storage.Backend, error)
	}{
		{"NilClient", "*mongo.Client", func() (*storage.Backend, error) { return mongostore.New(ctx, nil, nil) }},
		{"NotMongoURI", "mongodb://", func() (*storage.Backend, error) { return mongostore.OpenURI(ctx, "http://127.0.0.1:1/", nil) }},
		{"NoHost", "no host", func() (*storage.Backend, error) { return mongostore.OpenURI(ctx, "mongodb:///x", nil) }},
		{"DotInName", "cache_name", func() (*storage.Backend, error) { return mongostore.OpenURI(ctx, "mongodb://127.0.0.1:1/a.b", nil) }},
		{"LongName", "cache_name", func() (*storage.Backend, error) {
			return mongostore.OpenURI(ctx, "mongodb://127.0.0.1:1/", &mongostore.Options{CacheName: strings.Repeat("n", 64)})
		}},
		{"BadOption", "127.0.0.1:1", func() (*storage.Backend, error) {
			return mongostore.OpenURI(ctx, "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=soon", nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.open()
			if err == nil {
				b.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if errors.Is(err, storage.ErrUnavailable) {
				t.Errorf("error %q wraps storage.ErrUnavailable: a mistake is not an outage", err)
			}
			if b != nil {
				b.Close()
				t.Error("a Backend came with the error")
			}
		})
	}
}

// ferretDB is a FerretDB server of the test's own, which it can stop and
// start again on the same port and data directory.
type ferretDB struct {
	t    *testing.T
	bin  string
	addr string
	dir  string
	cmd  *exec.Cmd
}

func (f *ferretDB) start() {
	f.t.Helper()
	logFile, err := os.OpenFile(filepath.Join(f.dir, "ferretdb.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		f.t.Fatal(err)
	}
	defer logFile.Close()
	f.cmd = exec.Command(f.bin, "--listen-addr", f.addr, "--handler", "sqlite", "--sqlite-url", "file:"+f.dir+"/")
	f.cmd.Stdout, f.cmd.Stderr = logFile, logFile
	if err := f.cmd.Start(); err != nil {
		f.t.Fatalf("start %s: %v", f.bin, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", f.addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(f.dir, "ferretdb.log"))
			f.t.Fatalf("FerretDB did not listen on %s within 30s: %v\n%s", f.addr, err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (f *ferretDB) stop() {
	if f.cmd == nil {
		return
	}
	_ = f.cmd.Process.Kill()
	_ = f.cmd.Wait()
	f.cmd = nil
}

// TestOutage kills the server under an open store, checks that operations
// fail promptly, restarts the server on the same port and checks that the
// same store works again.
func TestOutage(t *testing.T) {
	bin := os.Getenv(ferretdbVar)
	if bin == "" {
		t.Skipf("%s is not set: set it to a FerretDB binary (flags --listen-addr, --handler sqlite, --sqlite-url) to run the outage test", ferretdbVar)
	}
	srv := &ferretDB{t: t, bin: bin, addr: hostPort(freePort(t)), dir: t.TempDir()}
	srv.start()
	t.Cleanup(srv.stop)

	ctx := ctxFor(t, 2*time.Minute)
	uri := fmt.Sprintf("mongodb://%s/outage?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000", srv.addr)
	b, err := mongostore.OpenURI(ctx, uri, &mongostore.Options{Logger: quietLogger(), Timeout: testTimeout})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()
	s := b.Responses
	if err := s.Write(ctx, "before", []byte("v1")); err != nil {
		t.Fatal(err)
	}
	probe := sessiontest.NewProbe(t, b)
	probe.WantCached("with the server up")

	srv.stop()
	probe.WantFromNetwork("with the server down")
	ops := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"Read", func(ctx context.Context) error { _, err := s.Read(ctx, "before"); return err }},
		{"Write", func(ctx context.Context) error { return s.Write(ctx, "during", []byte("v")) }},
		{"Contains", func(ctx context.Context) error { _, err := s.Contains(ctx, "before"); return err }},
		{"Size", func(ctx context.Context) error { _, err := s.Size(ctx); return err }},
		{"Keys", func(ctx context.Context) error {
			for _, err := range s.Keys(ctx) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, op := range ops {
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := op.run(octx)
		hung := octx.Err() != nil
		cancel()
		switch {
		case err == nil:
			t.Errorf("%s with the server down: no error", op.name)
		case errors.Is(err, storage.ErrNotFound):
			t.Errorf("%s with the server down: %v, want an error other than ErrNotFound", op.name, err)
		case hung:
			t.Errorf("%s with the server down ran into the test's deadline: serverSelectionTimeoutMS did not stop it", op.name)
		default:
			t.Logf("%s with the server down: %v", op.name, err)
		}
	}

	srv.start()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s.Write(ctx, "after", []byte("v2"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Write 30s after the server restarted: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for key, want := range map[string]string{"after": "v2", "before": "v1"} {
		if got, err := s.Read(ctx, key); err != nil || string(got) != want {
			t.Errorf("Read(%s) after the restart = (%q, %v), want (%q, nil)", key, got, err, want)
		}
	}
	probe.WantCachedSoon("after the server came back") // stored again (the restarted server may have lost it)
}
