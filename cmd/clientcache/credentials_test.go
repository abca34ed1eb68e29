package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage/memstore"
)

// whoOrigin is a loopback origin whose answers depend on who asks: the body
// names the request's Authorization, X-Tenant and X-Tenant-Id headers and
// its tenant query parameter, so that a response served to the wrong
// client shows. /cookie also sets a cookie. Every answer is fresh for a
// minute (for the proxy, which follows Cache-Control). It counts the
// requests reaching it.
type whoOrigin struct {
	*httptest.Server
	mu     sync.Mutex
	counts map[string]int // path -> requests
}

func newWhoOrigin(t *testing.T) *whoOrigin {
	o := &whoOrigin{counts: map[string]int{}}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.counts[r.URL.Path]++
		o.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=60")
		if r.URL.Path == "/cookie" {
			w.Header().Set("Set-Cookie", "session=s3cr3t; Path=/")
		}
		fmt.Fprintf(w, "auth=%q tenant=%q tenant-id=%q param=%q\n",
			r.Header.Get("Authorization"), r.Header.Get("X-Tenant"), r.Header.Get("X-Tenant-Id"), r.URL.Query().Get("tenant"))
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *whoOrigin) count(path string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.counts[path]
}

// who is the body whoOrigin answers a request with.
func who(auth, tenant, tenantID, param string) string {
	return fmt.Sprintf("auth=%q tenant=%q tenant-id=%q param=%q\n", auth, tenant, tenantID, param)
}

// getWho runs get -i with args and returns the Cache-Status of a response
// whose body must be want.
func getWho(t *testing.T, want string, args ...string) string {
	t.Helper()
	r := cli(t, append([]string{"get", "-i"}, args...)...)
	r.want(t, 0)
	if _, body, _ := strings.Cut(r.stdout, "\n\n"); body != want {
		t.Fatalf("get %s: body %q, want %q (another client's response?)", strings.Join(args, " "), body, want)
	}
	if r.stderr != "" {
		t.Errorf("get %s: stderr %q", strings.Join(args, " "), r.stderr)
	}
	return cacheStatus(t, r)
}

// The built-in credentials (Authorization here) keep users apart without
// any flag: three users, three misses, and each one's repeat is a hit on
// its own response.
func TestGetAuthorizationKeysApart(t *testing.T) {
	t.Parallel()
	o := newWhoOrigin(t)
	cache := sqliteCache(t)
	users := []struct{ header, auth string }{
		{"Authorization: Bearer A", "Bearer A"},
		{"Authorization: Bearer B", "Bearer B"},
		{"X-None: none", ""},
	}
	for round, want := range []string{miss, hit} {
		for _, u := range users {
			got := getWho(t, who(u.auth, "", "", ""), "--cache", cache, "-H", u.header, o.URL+"/me")
			if !statusIs(got, want) {
				t.Errorf("round %d, %s: Cache-Status %q, want %q", round+1, u.header, got, want)
			}
		}
	}
	if n := o.count("/me"); n != 3 {
		t.Errorf("origin saw %d requests, want 3 (one per user)", n)
	}
	cli(t, "stats", "--cache", cache).want(t, 0, "responses: 3\n")
	// The key secret that the digests of credentials use is in the store,
	// but no credential is.
	if r := cli(t, "urls", "--cache", cache); r.stdout != o.URL+"/me\n" {
		t.Errorf("urls: %q", r.stdout)
	}
}

// --share-credentials leaves credentials out of the key: whoever comes
// first fills the entry everyone gets.
func TestGetShareCredentials(t *testing.T) {
	t.Parallel()
	o := newWhoOrigin(t)
	cache := sqliteCache(t)
	first := who("Bearer A", "", "", "")
	for i, h := range []string{"Authorization: Bearer A", "Authorization: Bearer B", "X-None: none"} {
		want := hit
		if i == 0 {
			want = miss
		}
		if got := getWho(t, first, "--share-credentials", "--cache", cache, "-H", h, o.URL+"/shared"); !statusIs(got, want) {
			t.Errorf("%s: Cache-Status %q, want %q", h, got, want)
		}
	}
	// And with --credential names.
	a := who("", "a", "", "")
	if got := getWho(t, a, "--share-credentials", "--credential", "X-Tenant", "--cache", cache, "-H", "X-Tenant: a", o.URL+"/tenant"); got != miss {
		t.Errorf("X-Tenant a: Cache-Status %q, want a miss", got)
	}
	if got := getWho(t, a, "--share-credentials", "--credential", "X-Tenant", "--cache", cache, "-H", "X-Tenant: b", o.URL+"/tenant"); !statusIs(got, hit) {
		t.Errorf("X-Tenant b: Cache-Status %q, want a hit on a's response", got)
	}
	if n, m := o.count("/shared"), o.count("/tenant"); n != 1 || m != 1 {
		t.Errorf("origin saw %d and %d requests, want 1 each", n, m)
	}
	// show and delete key as get did only when told the same.
	u := o.URL + "/shared?api_key=k1"
	getWho(t, first, "--share-credentials", "--cache", cache, u)
	cli(t, "show", "--cache", cache, u).want(t, 1)
	cli(t, "show", "--share-credentials", "--cache", cache, u).want(t, 0, "URL:      "+o.URL+"/shared\n", `Bearer A`)
	cli(t, "delete", "--share-credentials", "--cache", cache, u).want(t, 0, "deleted 1 URL")
	cli(t, "show", "--share-credentials", "--cache", cache, u).want(t, 1)
}

// --credential adds a header to the credentials: each value is a user of
// its own. Without it, X-Tenant is no part of the key.
func TestGetCredentialHeader(t *testing.T) {
	t.Parallel()
	o := newWhoOrigin(t)

	plain := sqliteCache(t)
	a := who("", "a", "", "")
	if got := getWho(t, a, "--cache", plain, "-H", "X-Tenant: a", o.URL+"/plain"); got != miss {
		t.Errorf("without --credential, tenant a: Cache-Status %q, want a miss", got)
	}
	if got := getWho(t, a, "--cache", plain, "-H", "X-Tenant: b", o.URL+"/plain"); !statusIs(got, hit) {
		t.Errorf("without --credential, tenant b: Cache-Status %q, want a hit on a's response", got)
	}

	cache := sqliteCache(t)
	for round, want := range []string{miss, hit} {
		for _, tenant := range []string{"a", "b", ""} {
			args := []string{"--credential", "X-Tenant", "--cache", cache, o.URL + "/tenant"}
			if tenant != "" {
				args = append(args, "-H", "X-Tenant: "+tenant)
			}
			if got := getWho(t, who("", tenant, "", ""), args...); !statusIs(got, want) {
				t.Errorf("round %d, tenant %q: Cache-Status %q, want %q", round+1, tenant, got, want)
			}
		}
	}
	if n := o.count("/tenant"); n != 3 {
		t.Errorf("origin saw %d requests for /tenant, want 3", n)
	}

	// A glob, given twice among others; names compare case-insensitively.
	for round, want := range []string{miss, hit} {
		for _, id := range []string{"1", "2"} {
			got := getWho(t, who("", "", id, ""), "--credential", "x-other", "--credential", "x-tenant-*",
				"--cache", cache, "-H", "X-Tenant-Id: "+id, o.URL+"/glob")
			if !statusIs(got, want) {
				t.Errorf("round %d, X-Tenant-Id %s: Cache-Status %q, want %q", round+1, id, got, want)
			}
		}
	}
}

// A query parameter named by --credential keys the response apart, is
// stored redacted, and show and delete find the response with the same
// flag.
func TestCredentialParameter(t *testing.T) {
	t.Parallel()
	o := newWhoOrigin(t)
	cache := sqliteCache(t)
	for round, want := range []string{miss, hit} {
		for _, v := range []string{"alpha", "beta"} {
			got := getWho(t, who("", "", "", v), "--credential", "tenant", "--cache", cache, o.URL+"/q?tenant="+v)
			if !statusIs(got, want) {
				t.Errorf("round %d, tenant=%s: Cache-Status %q, want %q", round+1, v, got, want)
			}
		}
	}
	urls := cli(t, "urls", "--cache", cache)
	urls.want(t, 0, o.URL+"/q?tenant=")
	if strings.Contains(urls.stdout, "alpha") || strings.Contains(urls.stdout, "beta") {
		t.Errorf("urls shows a credential:\n%s", urls.stdout)
	}

	alpha := o.URL + "/q?tenant=alpha"
	show := cli(t, "show", "--credential", "tenant", "--cache", cache, alpha)
	show.want(t, 0, "Status:   200 OK\n", `param=\"alpha\"`)
	if strings.Contains(strings.SplitN(show.stdout, "\n", 2)[0], "alpha") {
		t.Errorf("show's URL line shows the credential:\n%s", show.stdout)
	}
	// Without the flag the key is another: nothing is found.
	if r := cli(t, "show", "--cache", cache, alpha); r.code != 1 || !strings.Contains(r.stderr, "no stored response") {
		t.Errorf("show without --credential: status %d, stderr %q; want 1, not found", r.code, r.stderr)
	}
	cli(t, "delete", "--cache", cache, alpha).want(t, 0, "deleted 0 URLs; not cached: "+alpha+"\n")
	cli(t, "delete", "--credential", "tenant", "--cache", cache, alpha).want(t, 0, "deleted 1 URL\n")
	cli(t, "stats", "--cache", cache).want(t, 0, "responses: 1\n")
	if got := getWho(t, who("", "", "", "beta"), "--credential", "tenant", "--cache", cache, o.URL+"/q?tenant=beta"); !statusIs(got, hit) {
		t.Errorf("tenant=beta after deleting alpha: Cache-Status %q, want a hit", got)
	}
}

func TestCredentialUsageErrors(t *testing.T) {
	t.Parallel()
	o := newWhoOrigin(t)
	dir := t.TempDir()
	cache := sqliteURL(filepath.Join(dir, "never.sqlite"))
	for _, cmd := range [][]string{
		{"get", o.URL + "/x"},
		{"show", o.URL + "/x"},
		{"delete", o.URL + "/x"},
		{"proxy", "--upstream", o.URL, "--listen", "127.0.0.1:0"},
	} {
		for _, tc := range []struct{ name, want string }{
			{"", `--credential "": want a header or query parameter name without spaces`},
			{" ", `--credential " ": want a header or query parameter name`},
			{"X Tenant", `--credential "X Tenant": want a header or query parameter name without spaces, such as X-Tenant`},
			{"X-Tenant\t", `--credential "X-Tenant\t"`},
			{"X-Tenant: a", `--credential "X-Tenant: a"`},
			{"X-Tenant:a", `--credential "X-Tenant:a": give the name only, without a value`},
			{"tenant=a", `--credential "tenant=a": give the name only`},
		} {
			args := append([]string{cmd[0], "--cache", cache, "--credential", "X-Fine", "--credential", tc.name}, cmd[1:]...)
			cli(t, args...).wantUsage(t, "clientcache: "+cmd[0]+": ", tc.want)
		}
	}
	// Commands that derive no key do not take it.
	cli(t, "urls", "--cache", cache, "--credential", "X-Tenant").wantUsage(t, "flag provided but not defined: -credential")
	// Refused before the store was opened: no file was created.
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("usage errors left %v in the cache directory (%v)", entries, err)
	}
	if n := o.count("/x"); n != 0 {
		t.Errorf("usage errors sent %d requests", n)
	}
}

// Options clientcache refuses come from flags: a usage error that says what
// the library found wrong.
func TestOptionsErrorIsUsage(t *testing.T) {
	t.Parallel()
	store, err := memstore.Open(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = clientcache.NewTransport(store, &clientcache.Options{Credentials: []string{"a b"}})
	if !errors.Is(err, clientcache.ErrInvalidOptions) {
		t.Fatalf("NewTransport with a bad credential name: %v, want ErrInvalidOptions", err)
	}
	got := optionsError(getCommand, err)
	var ue *usageError
	if !errors.As(got, &ue) || !strings.HasPrefix(got.Error(), "clientcache: get: invalid options: ") || !strings.Contains(got.Error(), `"a b"`) {
		t.Errorf("optionsError = %v, want a usage error quoting the name", got)
	}
	other := optionsError(getCommand, errors.New("disk on fire"))
	if errors.As(other, &ue) || other.Error() != "clientcache: get: disk on fire" {
		t.Errorf("optionsError of another error = %#v, want an ordinary error", other)
	}
}

// A response that cannot be stored still arrives, with exit status 0; one
// line on stderr says why it was not stored. A read-only store refuses
// every write.
func TestGetNotStoredLine(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cache := sqliteCache(t)
	cli(t, "get", "--cache", cache, o.URL+"/stored").want(t, 0, "body of /stored\n")
	readOnly := cache + "?mode=ro"

	r := cli(t, "get", "-i", "--cache", readOnly, o.URL+"/refused")
	r.want(t, 0, "HTTP/1.1 200 OK\n", "\n\nbody of /refused\n")
	if got := cacheStatus(t, r); got != miss {
		t.Errorf("Cache-Status %q, want %q", got, miss)
	}
	if r.stderr != "clientcache: the response was not stored: read-only\n" {
		t.Errorf("stderr %q, want the not-stored line", r.stderr)
	}
	cli(t, "stats", "--cache", cache).want(t, 0, "responses: 1\n")

	// A hit from the read-only store, and a response stored: nothing to say.
	hitRun := cli(t, "get", "-i", "--cache", readOnly, o.URL+"/stored")
	hitRun.want(t, 0, "body of /stored\n")
	if got := cacheStatus(t, hitRun); !statusIs(got, hit) || hitRun.stderr != "" {
		t.Errorf("hit on a read-only store: Cache-Status %q, stderr %q", got, hitRun.stderr)
	}
	if s := cli(t, "get", "--cache", cache, o.URL+"/fine"); s.code != 0 || s.stderr != "" {
		t.Errorf("stored response: status %d, stderr %q", s.code, s.stderr)
	}
	// Never meant to be stored (a 404, a PUT): nothing to say either.
	for _, args := range [][]string{{o.URL + "/status/404"}, {"-X", "PUT", o.URL + "/put"}} {
		if s := cli(t, append([]string{"get", "--cache", readOnly}, args...)...); s.code != 0 || s.stderr != "" {
			t.Errorf("get %v: status %d, stderr %q", args, s.code, s.stderr)
		}
	}
}

// The binary prints the line too, after the body on stdout.
func TestBinaryNotStoredLine(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	dir := filepath.ToSlash(filepath.Join(t.TempDir(), "files"))
	cliBin(t, nil, "get", "--cache", "file://"+dir, o.URL+"/x").want(t, 0)
	r := cliBin(t, nil, "get", "--cache", "file://"+dir+"?mode=ro", o.URL+"/y")
	r.want(t, 0)
	if r.stdout != "body of /y\n" || r.stderr != "clientcache: the response was not stored: read-only\n" {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

func TestCredentialFlagsHelp(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"get", "show", "delete", "proxy"} {
		cli(t, name, "-h").want(t, 0, "--credential NAME", "never share a")
	}
	cli(t, "get", "-h").want(t, 0, "--share-credentials", "single user", "\"clientcache; fwd=uri-miss\"", "clientcache: the response was not stored: read-only")
	cli(t, "proxy", "-h").want(t, 0, "--share-credentials", "--allow-set-cookie", "with --shared")
	for _, name := range []string{"urls", "clear", "prune", "stats"} {
		if r := cli(t, name, "-h"); strings.Contains(r.stdout, "--credential") {
			t.Errorf("%s -h lists --credential, which it does not take:\n%s", name, r.stdout)
		}
	}
}

// startProxy runs the proxy in-process with args added and returns its
// URL and what it writes on stderr. It stops at the end of the test.
func startProxy(t *testing.T, upstream string, args ...string) (string, *lines) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := newLines()
	code := make(chan int, 1)
	all := append([]string{"proxy", "--listen", "127.0.0.1:0", "--upstream", upstream, "--cache", "memory://"}, args...)
	go func() { code <- run(ctx, all, io.Discard, stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("proxy %v: exit status %d; stderr:\n%s", args, c, stderr)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("proxy %v did not stop", args)
		}
	})
	return stderr.wait(t, startLine)[1], stderr
}

// proxyWho sends a GET through the proxy with header h ("Name: value", or
// ""), checks the body is want and returns the response.
func proxyWho(t *testing.T, url, h, want string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if name, value, ok := strings.Cut(h, ": "); ok {
		req.Header.Set(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != want {
		t.Fatalf("GET %s with %q: body %q, want %q", url, h, body, want)
	}
	return resp
}

func TestProxyCredentials(t *testing.T) {
	t.Parallel()
	o := newWhoOrigin(t)

	apart, log := startProxy(t, o.URL, "--credential", "X-Tenant", "--credential", "tenant")
	for round, want := range []string{miss, hit} {
		for _, tenant := range []string{"a", "b"} {
			resp := proxyWho(t, apart+"/apart", "X-Tenant: "+tenant, who("", tenant, "", ""))
			if got := resp.Header.Get("Cache-Status"); !statusIs(got, want) {
				t.Errorf("round %d, tenant %s: Cache-Status %q, want %q", round+1, tenant, got, want)
			}
		}
	}
	// The access log shows no credential of the query.
	proxyWho(t, apart+"/param?tenant=hush-hush", "", who("", "", "", "hush-hush"))
	log.wait(t, `method=GET path="?/param\?tenant=`)
	if strings.Contains(log.String(), "hush-hush") {
		t.Errorf("the access log shows the credential:\n%s", log)
	}

	shared, _ := startProxy(t, o.URL, "--credential", "X-Tenant", "--share-credentials")
	for i, tenant := range []string{"a", "b"} {
		resp := proxyWho(t, shared+"/together", "X-Tenant: "+tenant, who("", "a", "", ""))
		if got, want := resp.Header.Get("Cache-Status"), []string{miss, hit}[i]; !statusIs(got, want) {
			t.Errorf("--share-credentials, tenant %s: Cache-Status %q, want %q", tenant, got, want)
		}
	}
	if n, m := o.count("/apart"), o.count("/together"); n != 2 || m != 1 {
		t.Errorf("origin saw %d requests for /apart (want 2) and %d for /together (want 1)", n, m)
	}
}

// A shared cache stores responses that set cookies only with
// --allow-set-cookie, and then without the cookie.
func TestProxyAllowSetCookie(t *testing.T) {
	t.Parallel()
	o := newWhoOrigin(t)
	body := who("", "", "", "")
	for _, tc := range []struct {
		args   []string
		second string // the second request's Cache-Status
	}{
		{[]string{"--shared"}, miss},
		{[]string{"--shared", "--allow-set-cookie"}, hit},
		{nil, hit}, // a private cache stores them anyway
		{[]string{"--allow-set-cookie"}, hit},
	} {
		proxy, _ := startProxy(t, o.URL, tc.args...)
		first := proxyWho(t, proxy+"/cookie", "", body)
		if got := first.Header.Get("Set-Cookie"); got != "session=s3cr3t; Path=/" {
			t.Errorf("%v: first response's Set-Cookie %q", tc.args, got)
		}
		if got := first.Header.Get("Cache-Status"); got != miss {
			t.Errorf("%v: first Cache-Status %q, want %q", tc.args, got, miss)
		}
		second := proxyWho(t, proxy+"/cookie", "", body)
		if got := second.Header.Get("Cache-Status"); !statusIs(got, tc.second) {
			t.Errorf("%v: second Cache-Status %q, want %q", tc.args, got, tc.second)
		}
		shared := len(tc.args) > 0 && tc.args[0] == "--shared"
		if cookie := second.Header.Get("Set-Cookie"); shared && cookie != "" && strings.HasPrefix(tc.second, hit) {
			t.Errorf("%v: a shared cache served the cookie to another client: %q", tc.args, cookie)
		}
	}
}
