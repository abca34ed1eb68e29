package filestore_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache/storage/filestore"
)

// tempName is the name a write gives its temporary file for key's entry.
func tempName(dir, key, random string) string {
	return entryPath(dir, key) + "." + random + ".tmp"
}

// strayTemps makes, in dir, the temporary files a killed write leaves: one
// a day old, one just written, and returns them.
func strayTemps(t *testing.T, dir, key string) (old, young string) {
	t.Helper()
	old, young = tempName(dir, key, "111111"), tempName(dir, key, "222222")
	for _, p := range []string{old, young} {
		if err := os.WriteFile(p, bytes.Repeat([]byte("x"), 4096), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	dayAgo := time.Now().Add(-24 * time.Hour)
	if err := os.Chtimes(old, dayAgo, dayAgo); err != nil {
		t.Fatal(err)
	}
	return old, young
}

func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	var temps []string
	for _, n := range fileNames(t, dir) {
		if strings.HasSuffix(n, ".tmp") {
			temps = append(temps, n)
		}
	}
	return temps
}

func TestOpenRemovesAbandonedTemporaryFiles(t *testing.T) {
	root := t.TempDir()
	b, err := filestore.Open(t.Context(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	write(t, b.Responses, "kept", "v")
	write(t, b.Redirects, "alias", "kept")
	_ = b.Close()

	responses, redirects := filepath.Join(root, "responses"), filepath.Join(root, "redirects")
	old, young := strayTemps(t, responses, "kept")
	oldAlias, _ := strayTemps(t, redirects, "alias")
	writing := tempName(responses, "kept", "333333")
	beingWritten(t, writing)
	notes := filepath.Join(responses, "notes.txt")
	if err := os.WriteFile(notes, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Read-only: nothing is removed.
	ro, err := filestore.Open(t.Context(), root, &filestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = ro.Close()
	if !exists(old) || !exists(oldAlias) {
		t.Fatal("a read-only Open removed a file")
	}

	b, err = filestore.Open(t.Context(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if exists(old) || exists(oldAlias) {
		t.Error("Open left a temporary file a day old")
	}
	if exists(young) != !unlockedTempsAreGarbage {
		t.Errorf("after Open, a young temporary file no write holds exists = %v, want %v", exists(young), !unlockedTempsAreGarbage)
	}
	if !exists(writing) {
		t.Error("Open removed the temporary file of a write in progress")
	}
	if !exists(notes) {
		t.Error("Open removed a file that is not the store's")
	}
	wantKeys(t, b.Responses, "kept")
	wantKeys(t, b.Redirects, "alias")
}

func TestClearAndPruneRemoveAbandonedTemporaryFiles(t *testing.T) {
	for _, op := range []string{"Clear", "DeleteExpired"} {
		t.Run(op, func(t *testing.T) {
			dir := t.TempDir()
			s := newStore(t, dir, nil)
			write(t, s, "k", "v")
			old, young := strayTemps(t, dir, "k")
			writing := tempName(dir, "k", "333333")
			beingWritten(t, writing)

			if op == "Clear" {
				if err := s.Clear(t.Context()); err != nil {
					t.Fatal(err)
				}
				wantKeys(t, s)
			} else {
				if n, err := s.DeleteExpired(t.Context(), time.Now()); err != nil || n != 0 {
					t.Fatalf("DeleteExpired = (%d, %v), want (0, nil)", n, err)
				}
				wantKeys(t, s, "k")
			}
			if exists(old) {
				t.Errorf("%s left a temporary file a day old", op)
			}
			if exists(young) != !unlockedTempsAreGarbage {
				t.Errorf("after %s, a young temporary file no write holds exists = %v, want %v", op, exists(young), !unlockedTempsAreGarbage)
			}
			if !exists(writing) {
				t.Errorf("%s removed the temporary file of a write in progress", op)
			}
		})
	}
}

// Cleaners running while writes are under way never break a write: a write
// holds its temporary file from its creation to its rename.
func TestCleanersNeverBreakAWrite(t *testing.T) {
	dir := t.TempDir()
	s := newStore(t, dir, nil)
	ctx := t.Context()
	value := bytes.Repeat([]byte("v"), 200<<10)
	stop := make(chan struct{})
	var cleaners sync.WaitGroup
	for i := range 2 {
		cleaners.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if i == 0 {
					_, err = s.DeleteExpired(ctx, time.Now())
				} else {
					_, err = filestore.NewTestStore(dir, nil)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Go(func() {
			for i := range 100 {
				key := fmt.Sprintf("w%d-%d", w, i%10)
				if err := s.Write(ctx, key, value); err != nil {
					t.Errorf("Write(%s) while cleaners run: %v", key, err)
					return
				}
			}
		})
	}
	writers.Wait()
	close(stop)
	cleaners.Wait()
	if n, err := s.Size(ctx); err != nil || n != 40 {
		t.Fatalf("Size = (%d, %v), want (40, nil)", n, err)
	}
	if temps := tempFiles(t, dir); len(temps) != 0 {
		t.Fatalf("temporary files left after every write returned: %q", temps)
	}
}
