package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The load connection reads what net/http's server sends: bodies sized by
// Content-Length and chunked ones, no body for 204 and 304, headers it
// must see (Server-Timing), on one kept connection; and it keeps a body
// only when asked.
func TestLoadConnReadsServerAnswers(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10_000) // 160 KB: chunked, larger than the read buffer
	srv, conns := countingServer(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server-Timing", "app;dur=1.25")
		switch r.URL.Path {
		case "/sized":
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		case "/chunked":
			io.WriteString(w, big)
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/not-modified":
			w.WriteHeader(http.StatusNotModified)
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, "%s %s %s %s", r.Method, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), b)
		default:
			http.NotFound(w, r)
		}
	})
	defer srv.Close()

	lc := newLoadConn(strings.TrimPrefix(srv.URL, "http://"), 5*time.Second)
	defer lc.close()
	cases := []struct {
		method, path string
		body         string
		status       int
		want         string
	}{
		{"GET", "/sized", "", 200, "hello"},
		{"GET", "/chunked", "", 200, big},
		{"GET", "/empty", "", 204, ""},
		{"GET", "/not-modified", "", 304, ""},
		{"GET", "/missing", "", 404, "404 page not found\n"},
		{"POST", "/echo", `{"a":1}`, 201, `POST Bearer t application/json {"a":1}`},
		{"PATCH", "/echo", "", 201, "PATCH Bearer t application/json "},
	}
	for round := 0; round < 2; round++ {
		for _, c := range cases {
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			}
			r, err := lc.do(c.method, c.path, []string{"Authorization: Bearer t", "Content-Type: application/json"}, body, true)
			if err != nil {
				t.Fatalf("%s %s: %v", c.method, c.path, err)
			}
			if r.status != c.status || string(r.body) != c.want {
				t.Errorf("%s %s: %d %.40q, want %d %.40q", c.method, c.path, r.status, r.body, c.status, c.want)
			}
			if r.serverMs != 1.25 {
				t.Errorf("%s %s: server time %v, want 1.25", c.method, c.path, r.serverMs)
			}
			// Discarding reads the same answer and keeps nothing.
			if r, err := lc.do(c.method, c.path, nil, body, false); err != nil || r.status != c.status || r.body != nil {
				t.Errorf("%s %s discarded: %d %q %v", c.method, c.path, r.status, r.body, err)
			}
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for every request in turn, want one kept open", n)
	}
}

// A server that closes the connection, after an answer saying so or while
// the connection is idle, costs a new connection, not a failed read.
func TestLoadConnDialsAgainAfterTheServerCloses(t *testing.T) {
	srv, conns := countingServer(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bye" {
			w.Header().Set("Connection", "close")
		}
		io.WriteString(w, "ok")
	})
	defer srv.Close()
	lc := newLoadConn(strings.TrimPrefix(srv.URL, "http://"), 5*time.Second)
	defer lc.close()
	for _, p := range []string{"/bye", "/a", "/b"} {
		if r, err := lc.do("GET", p, nil, nil, true); err != nil || r.status != 200 || string(r.body) != "ok" {
			t.Fatalf("GET %s: %d %q %v", p, r.status, r.body, err)
		}
	}
	srv.CloseClientConnections() // the kept connection goes away while idle
	if r, err := lc.do("GET", "/c", nil, nil, true); err != nil || r.status != 200 {
		t.Fatalf("GET after the server closed the idle connection: %d %v", r.status, err)
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections, want 3 (the first, one after Connection: close, one after the idle close)", n)
	}
}

// countingServer starts a test server running h that counts the
// connections made to it.
func countingServer(h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	conns := &atomic.Int64{}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	return srv, conns
}

// Answers that are not HTTP are errors, not statuses.
func TestLoadConnRejectsMalformedAnswers(t *testing.T) {
	for name, answer := range map[string]string{
		"not HTTP":        "SSH-2.0-OpenSSH\r\n\r\n",
		"bad status":      "HTTP/1.1 2x0 OK\r\n\r\n",
		"bad header":      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
		"bad length":      "HTTP/1.1 200 OK\r\nContent-Length: -4\r\n\r\n",
		"bad chunk":       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
		"truncated body":  "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"chunk after end": "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
	} {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				buf := make([]byte, 4096)
				c.Read(buf)
				io.WriteString(c, answer)
			}()
			lc := newLoadConn(ln.Addr().String(), 2*time.Second)
			defer lc.close()
			if r, err := lc.do("POST", "/", nil, nil, true); err == nil {
				t.Errorf("answer %q read as %d %q without an error", answer, r.status, r.body)
			}
		})
	}
}
