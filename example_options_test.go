package clientcache_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"time"

	"github.com/clientcache/clientcache"
	"github.com/clientcache/clientcache/storage/memstore"
)

// Expiration: ExpireAfter for every response, URL patterns for some URLs, a
// request's own ExpireAfter for one request. Options.Now is a fake clock here,
// moved forward by hand, so that the output is the same on every run.
func ExampleOptions_expiry() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.URL.Path)
	}))
	defer origin.Close()

	// The fake clock starts at the real time, which memstore's own expiry
	// follows, on a whole second, which the cache keeps of times.
	now := time.Now().Truncate(time.Second)
	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	s, err := clientcache.NewSession(store, &clientcache.Options{
		ExpireAfter: time.Hour,
		URLPatterns: []clientcache.URLPattern{ // without the scheme; the first match wins
			{Pattern: "*/static/*", ExpireAfter: clientcache.NeverExpire},
			{Pattern: "*/live/*", ExpireAfter: clientcache.DoNotCache},
		},
		Now: func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	get := func(path string, ro clientcache.RequestOptions) {
		ctx := clientcache.WithRequest(context.Background(), ro)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, origin.URL+path, nil)
		resp, err := s.Do(req)
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body) // reading to the end stores it
		resp.Body.Close()
		fmt.Printf("%-13s %-28s stored=%v\n", path, resp.Header.Get("Cache-Status"), clientcache.StatusOf(resp).Stored)
	}

	get("/items", clientcache.RequestOptions{})
	get("/static/logo", clientcache.RequestOptions{})
	get("/live/feed", clientcache.RequestOptions{})
	get("/news", clientcache.RequestOptions{ExpireAfter: time.Minute}) // this request's own expiry

	fmt.Println("30 minutes later:")
	now = now.Add(30 * time.Minute)
	get("/items", clientcache.RequestOptions{}) // a hit says how long it stays fresh
	get("/static/logo", clientcache.RequestOptions{})
	get("/live/feed", clientcache.RequestOptions{})
	get("/news", clientcache.RequestOptions{}) // stale after its minute: fetched again

	fmt.Println("2 hours later:")
	now = now.Add(2 * time.Hour)
	get("/items", clientcache.RequestOptions{})       // stale: fetched again
	get("/static/logo", clientcache.RequestOptions{}) // never stale
	// Output:
	// /items        clientcache; fwd=uri-miss    stored=true
	// /static/logo  clientcache; fwd=uri-miss    stored=true
	// /live/feed    clientcache; fwd=bypass      stored=false
	// /news         clientcache; fwd=uri-miss    stored=true
	// 30 minutes later:
	// /items        clientcache; hit; ttl=1800   stored=false
	// /static/logo  clientcache; hit             stored=false
	// /live/feed    clientcache; fwd=bypass      stored=false
	// /news         clientcache; fwd=stale       stored=true
	// 2 hours later:
	// /items        clientcache; fwd=stale       stored=true
	// /static/logo  clientcache; hit             stored=false
}

// Keys: which requests share a stored response. MatchHeaders puts headers in
// the key; IgnoredParams leaves parameters out of it; Credentials names more
// headers and parameters that carry credentials, whose holders never share
// responses unless ShareAcrossCredentials is set.
func ExampleOptions_keys() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "lang=%s tenant=%s", r.Header.Get("Accept-Language"), r.Header.Get("X-Tenant"))
	}))
	defer origin.Close()

	get := func(s *clientcache.Session, query, lang, tenant string) {
		req, _ := http.NewRequest(http.MethodGet, origin.URL+"/report"+query, nil)
		req.Header.Set("Accept-Language", lang)
		if tenant != "" {
			req.Header.Set("X-Tenant", tenant)
		}
		resp, err := s.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if tenant == "" {
			tenant = "-"
		}
		fmt.Printf("%-16s %s %s  %-25s -> %q\n", req.URL.RequestURI(), lang, tenant, resp.Header.Get("Cache-Status"), body)
	}

	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	s, err := clientcache.NewSession(store, &clientcache.Options{
		MatchHeaders:  []string{"Accept-Language"},
		IgnoredParams: []string{"nonce"},
		Credentials:   []string{"X-Tenant"},
	})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	get(s, "?nonce=1", "en", "")
	get(s, "?nonce=2", "en", "") // nonce is not part of the key
	get(s, "?nonce=3", "fr", "") // Accept-Language is
	get(s, "?nonce=4", "en", "a")
	get(s, "?nonce=5", "en", "b") // another tenant: never served tenant a's response
	get(s, "?nonce=6", "en", "a")

	fmt.Println("ShareAcrossCredentials (a cache with a single user):")
	sharedStore, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	shared, err := clientcache.NewSession(sharedStore, &clientcache.Options{
		Credentials:            []string{"X-Tenant"},
		ShareAcrossCredentials: true,
	})
	if err != nil {
		panic(err)
	}
	defer shared.Close()
	get(shared, "?nonce=1", "en", "a")
	get(shared, "?nonce=1", "en", "b") // served tenant a's response
	// Output:
	// /report?nonce=1  en -  clientcache; fwd=uri-miss -> "lang=en tenant="
	// /report?nonce=2  en -  clientcache; hit          -> "lang=en tenant="
	// /report?nonce=3  fr -  clientcache; fwd=uri-miss -> "lang=fr tenant="
	// /report?nonce=4  en a  clientcache; fwd=uri-miss -> "lang=en tenant=a"
	// /report?nonce=5  en b  clientcache; fwd=uri-miss -> "lang=en tenant=b"
	// /report?nonce=6  en a  clientcache; hit          -> "lang=en tenant=a"
	// ShareAcrossCredentials (a cache with a single user):
	// /report?nonce=1  en a  clientcache; fwd=uri-miss -> "lang=en tenant=a"
	// /report?nonce=1  en b  clientcache; hit          -> "lang=en tenant=a"
}

// Filters: which responses are stored. AllowedCodes and AllowedMethods name
// them (a POST is keyed on its body); Filter decides for each response, when
// it is stored and again when it is read.
func ExampleOptions_filter() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
		case "/broken":
			http.Error(w, "oops", http.StatusInternalServerError)
		case "/personal":
			w.Header().Set("X-Personal", "1")
			fmt.Fprint(w, "for you only")
		default:
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s", r.Method, body)
		}
	}))
	defer origin.Close()

	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	s, err := clientcache.NewSession(store, &clientcache.Options{
		AllowedCodes:   []int{http.StatusOK, http.StatusNotFound},
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		Filter: func(resp *http.Response) bool {
			return resp.Header.Get("X-Personal") == "" // must not read the body
		},
	})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	for range 2 {
		for _, r := range []struct{ method, path, body string }{
			{"GET", "/missing", ""},
			{"GET", "/broken", ""},
			{"GET", "/personal", ""},
			{"POST", "/search", "q=a"},
			{"POST", "/search", "q=b"},
		} {
			req, _ := http.NewRequest(r.method, origin.URL+r.path, strings.NewReader(r.body))
			resp, err := s.Do(req)
			if err != nil {
				panic(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			fmt.Printf("%-4s %-9s %-3s %d %-25s stored=%v\n", r.method, r.path, r.body, resp.StatusCode,
				resp.Header.Get("Cache-Status"), clientcache.StatusOf(resp).Stored)
		}
	}
	// Output:
	// GET  /missing      404 clientcache; fwd=uri-miss stored=true
	// GET  /broken       500 clientcache; fwd=uri-miss stored=false
	// GET  /personal     200 clientcache; fwd=uri-miss stored=false
	// POST /search   q=a 200 clientcache; fwd=uri-miss stored=true
	// POST /search   q=b 200 clientcache; fwd=uri-miss stored=true
	// GET  /missing      404 clientcache; hit          stored=false
	// GET  /broken       500 clientcache; fwd=uri-miss stored=false
	// GET  /personal     200 clientcache; fwd=uri-miss stored=false
	// POST /search   q=a 200 clientcache; hit          stored=false
	// POST /search   q=b 200 clientcache; hit          stored=false
}

// Refresh and ForceRefresh, per request: Refresh revalidates the stored
// response (a conditional request, answered here with 304 Not Modified),
// ForceRefresh fetches a new one whatever is stored.
func ExampleWithRequest_refresh() {
	var fetches atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, "v1")
	}))
	defer origin.Close()

	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	s, err := clientcache.NewSession(store, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	for _, r := range []struct {
		name string
		ro   clientcache.RequestOptions
	}{
		{"first", clientcache.RequestOptions{}},
		{"again", clientcache.RequestOptions{}},
		{"Refresh", clientcache.RequestOptions{Refresh: true}},
		{"ForceRefresh", clientcache.RequestOptions{ForceRefresh: true}},
	} {
		ctx := clientcache.WithRequest(context.Background(), r.ro)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, origin.URL, nil)
		resp, err := s.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		st := clientcache.StatusOf(resp)
		fmt.Printf("%-12s %d %s %-46s FromCache=%-5v Revalidated=%-5v Stored=%-5v origin asked %d times\n",
			r.name, resp.StatusCode, body, resp.Header.Get("Cache-Status"), st.FromCache, st.Revalidated, st.Stored, fetches.Load())
	}
	// Output:
	// first        200 v1 clientcache; fwd=uri-miss                      FromCache=false Revalidated=false Stored=true  origin asked 1 times
	// again        200 v1 clientcache; hit                               FromCache=true  Revalidated=false Stored=false origin asked 1 times
	// Refresh      200 v1 clientcache; fwd=stale; fwd-status=304; stored FromCache=true  Revalidated=true  Stored=true  origin asked 2 times
	// ForceRefresh 200 v1 clientcache; fwd=request                       FromCache=false Revalidated=false Stored=true  origin asked 3 times
}

// OnlyIfCached and Disabled, per request: OnlyIfCached never asks the origin
// (504 Gateway Timeout when nothing is stored); Disabled always does, and
// neither reads nor stores.
func ExampleWithRequest_onlyIfCached() {
	var fetches atomic.Int32
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		fmt.Fprint(w, r.URL.Path)
	}))
	defer origin.Close()

	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	s, err := clientcache.NewSession(store, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	for _, r := range []struct {
		path string
		ro   clientcache.RequestOptions
	}{
		{"/a", clientcache.RequestOptions{}},
		{"/a", clientcache.RequestOptions{OnlyIfCached: true}},
		{"/b", clientcache.RequestOptions{OnlyIfCached: true}},
		{"/a", clientcache.RequestOptions{Disabled: true}},
		{"/b", clientcache.RequestOptions{Disabled: true}},
		{"/b", clientcache.RequestOptions{OnlyIfCached: true}},
	} {
		ctx := clientcache.WithRequest(context.Background(), r.ro)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, origin.URL+r.path, nil)
		resp, err := s.Do(req)
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Printf("%s OnlyIfCached=%-5v Disabled=%-5v %d %-43s origin asked %d times\n",
			r.path, r.ro.OnlyIfCached, r.ro.Disabled, resp.StatusCode, resp.Header.Get("Cache-Status"), fetches.Load())
	}
	// Output:
	// /a OnlyIfCached=false Disabled=false 200 clientcache; fwd=uri-miss                   origin asked 1 times
	// /a OnlyIfCached=true  Disabled=false 200 clientcache; hit                            origin asked 1 times
	// /b OnlyIfCached=true  Disabled=false 504 clientcache; fwd=miss; detail=only-if-cached origin asked 1 times
	// /a OnlyIfCached=false Disabled=true  200 clientcache; fwd=bypass                     origin asked 2 times
	// /b OnlyIfCached=false Disabled=true  200 clientcache; fwd=bypass                     origin asked 3 times
	// /b OnlyIfCached=true  Disabled=false 504 clientcache; fwd=miss; detail=only-if-cached origin asked 3 times
}

// CacheControl: HTTP caching as RFC 9111 specifies it. The response's
// Cache-Control says how long it stays fresh (max-age) or that it must not be
// stored (no-store); Vary keeps a response per value of the request headers it
// names; a stale response is revalidated with its ETag, and a 304 Not
// Modified refreshes it. Options.Now is a fake clock, and the origin sends no
// Date, so that the output is the same on every run.
func ExampleOptions_cacheControl() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil // no Date: the age counts from the receipt, on the fake clock
		switch r.URL.Path {
		case "/secret":
			w.Header().Set("Cache-Control", "no-store")
		case "/greeting":
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Vary", "Accept-Language")
		default:
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("ETag", `"v1"`)
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		fmt.Fprint(w, r.URL.Path, " ", r.Header.Get("Accept-Language"))
	}))
	defer origin.Close()

	now := time.Now().Truncate(time.Second)
	store, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	s, err := clientcache.NewSession(store, &clientcache.Options{
		CacheControl: true,
		Now:          func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	defer s.Close()

	get := func(path, lang string) {
		req, _ := http.NewRequest(http.MethodGet, origin.URL+path, nil)
		req.Header.Set("Accept-Language", lang)
		resp, err := s.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		st := clientcache.StatusOf(resp)
		fmt.Printf("%-9s %s %d %-46s Stored=%-5v Revalidated=%-5v %q\n",
			path, lang, resp.StatusCode, resp.Header.Get("Cache-Status"), st.Stored, st.Revalidated, body)
	}

	get("/doc", "en")
	get("/doc", "en")
	get("/secret", "en")
	get("/secret", "en")
	get("/greeting", "en")
	get("/greeting", "fr")
	get("/greeting", "en")
	fmt.Println("2 minutes later:")
	now = now.Add(2 * time.Minute)
	get("/doc", "en")
	get("/doc", "en")
	// Output:
	// /doc      en 200 clientcache; fwd=uri-miss                      Stored=true  Revalidated=false "/doc en"
	// /doc      en 200 clientcache; hit; ttl=60                       Stored=false Revalidated=false "/doc en"
	// /secret   en 200 clientcache; fwd=uri-miss                      Stored=false Revalidated=false "/secret en"
	// /secret   en 200 clientcache; fwd=uri-miss                      Stored=false Revalidated=false "/secret en"
	// /greeting en 200 clientcache; fwd=uri-miss                      Stored=true  Revalidated=false "/greeting en"
	// /greeting fr 200 clientcache; fwd=vary-miss                     Stored=true  Revalidated=false "/greeting fr"
	// /greeting en 200 clientcache; hit; ttl=60                       Stored=false Revalidated=false "/greeting en"
	// 2 minutes later:
	// /doc      en 200 clientcache; fwd=stale; fwd-status=304; stored Stored=true  Revalidated=true  "/doc en"
	// /doc      en 200 clientcache; hit; ttl=60                       Stored=false Revalidated=false "/doc en"
}

// Shared: a shared cache (a proxy's, in RFC 9111's terms) beside a private
// one, both with CacheControl. Only the shared cache honours s-maxage, and it
// never stores a response marked private, nor one that sets a cookie.
func ExampleOptions_shared() {
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		switch r.URL.Path {
		case "/public":
			w.Header().Set("Cache-Control", "max-age=10, s-maxage=60")
		case "/private":
			w.Header().Set("Cache-Control", "private, max-age=60")
		case "/cookie":
			w.Header().Set("Cache-Control", "max-age=60")
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "42"})
		}
		fmt.Fprint(w, r.URL.Path)
	}))
	defer origin.Close()

	now := time.Now().Truncate(time.Second)
	clock := func() time.Time { return now }
	privateStore, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	private, err := clientcache.NewTransport(privateStore, &clientcache.Options{CacheControl: true, Now: clock})
	if err != nil {
		panic(err)
	}
	defer private.Close()
	sharedStore, err := memstore.Open(context.Background(), nil)
	if err != nil {
		panic(err)
	}
	shared, err := clientcache.NewTransport(sharedStore, &clientcache.Options{CacheControl: true, Shared: true, Now: clock})
	if err != nil {
		panic(err)
	}
	defer shared.Close()

	get := func(name string, tr *clientcache.Transport, path string) {
		resp, err := (&http.Client{Transport: tr}).Get(origin.URL + path)
		if err != nil {
			panic(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Printf("%-7s %-8s %-30s stored=%v\n", name, path, resp.Header.Get("Cache-Status"), clientcache.StatusOf(resp).Stored)
	}
	for _, path := range []string{"/public", "/private", "/cookie"} {
		get("private", private, path)
		get("shared", shared, path)
	}
	fmt.Println("30 seconds later:")
	now = now.Add(30 * time.Second)
	for _, path := range []string{"/public", "/private", "/cookie"} {
		get("private", private, path)
		get("shared", shared, path)
	}
	// Output:
	// private /public  clientcache; fwd=uri-miss      stored=true
	// shared  /public  clientcache; fwd=uri-miss      stored=true
	// private /private clientcache; fwd=uri-miss      stored=true
	// shared  /private clientcache; fwd=uri-miss      stored=false
	// private /cookie  clientcache; fwd=uri-miss      stored=true
	// shared  /cookie  clientcache; fwd=uri-miss      stored=false
	// 30 seconds later:
	// private /public  clientcache; fwd=stale         stored=true
	// shared  /public  clientcache; hit; ttl=30       stored=false
	// private /private clientcache; hit; ttl=30       stored=false
	// shared  /private clientcache; fwd=uri-miss      stored=false
	// private /cookie  clientcache; hit; ttl=30       stored=false
	// shared  /cookie  clientcache; fwd=uri-miss      stored=false
}
