package sqlitestore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage"
)

const (
	helperEnvDB = "SQLITESTORE_HELPER_DB" // the database the helper process uses
	helperEnvID = "SQLITESTORE_HELPER_ID" // the helper's number

	processes       = 20
	perProcess      = 50
	helperValueSize = 2 << 10
)

func helperKey(proc, i int) string { return fmt.Sprintf("p%02d-%02d", proc, i) }

func helperValue(proc, i int) []byte {
	return bytes.Repeat(fmt.Appendf(nil, "%s;", helperKey(proc, i)), helperValueSize/7)
}

// TestManyProcesses runs twenty processes (this test binary, as
// TestHelperProcess) that open one new database file at once and write and
// read fifty entries each.
func TestManyProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	path := filepath.Join(t.TempDir(), "shared", "cache.sqlite")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	var wg sync.WaitGroup
	errs := make([]error, processes)
	for p := range processes {
		cmd := exec.CommandContext(ctx, os.Args[0])
		cmd.Env = append(os.Environ(), helperEnvDB+"="+path, helperEnvID+"="+strconv.Itoa(p))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start process %d: %v", p, err)
		}
		wg.Go(func() {
			if err := cmd.Wait(); err != nil {
				errs[p] = fmt.Errorf("process %d: %v\n%s", p, err, out.Bytes())
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}

	b, err := Open(ctx, path, &Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for p := range processes {
		for i := range perProcess {
			k := helperKey(p, i)
			if v, err := b.Responses.Read(ctx, k); err != nil || !bytes.Equal(v, helperValue(p, i)) {
				t.Fatalf("Read(%s) after all processes ended = (%d bytes, %v), want the %d bytes written", k, len(v), err, len(helperValue(p, i)))
			}
		}
	}
	if n, err := b.Responses.Size(ctx); err != nil || n != processes*perProcess {
		t.Fatalf("Size = (%d, %v), want (%d, nil)", n, err, processes*perProcess)
	}
	if n, err := b.Redirects.Size(ctx); err != nil || n != processes {
		t.Fatalf("Redirects.Size = (%d, %v), want (%d, nil)", n, err, processes)
	}
}

// TestMain runs one of TestManyProcesses' processes when the environment
// says so, and the tests otherwise.
func TestMain(m *testing.M) {
	if path := os.Getenv(helperEnvDB); path != "" {
		id, err := strconv.Atoi(os.Getenv(helperEnvID))
		if err == nil {
			err = helperWork(context.Background(), path, id)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "process %s: %v\n", os.Getenv(helperEnvID), err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperWork writes and reads this process's entries, with two goroutines,
// and reads other processes' entries as they appear.
func helperWork(ctx context.Context, path string, id int) (err error) {
	b, err := Open(ctx, path, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, b.Close()) }()
	resp := b.Responses.(*store)
	errs := make(chan error, 2)
	for g := range 2 {
		go func() {
			errs <- func() error {
				for i := g; i < perProcess; i += 2 {
					k, v := helperKey(id, i), helperValue(id, i)
					if err := resp.WriteWithExpiry(ctx, k, v, time.Now().Add(time.Hour)); err != nil {
						return err
					}
					if got, err := resp.Read(ctx, k); err != nil || !bytes.Equal(got, v) {
						return fmt.Errorf("Read(%s) = (%d bytes, %v) right after writing it", k, len(got), err)
					}
					other := helperKey((id+i)%processes, i)
					if _, err := resp.Read(ctx, other); err != nil && !errors.Is(err, storage.ErrNotFound) {
						return err
					}
					if i%10 == 0 {
						if _, err := resp.DeleteExpired(ctx, time.Now()); err != nil {
							return err
						}
						if _, err := resp.Size(ctx); err != nil {
							return err
						}
					}
				}
				return nil
			}()
		}()
	}
	err = errors.Join(<-errs, <-errs)
	if err != nil {
		return err
	}
	return b.Redirects.Write(ctx, fmt.Sprintf("alias-%02d", id), []byte(helperKey(id, 0)))
}
