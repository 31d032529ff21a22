package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// loadConn is one load worker's keep-alive HTTP/1.1 connection to the
// server under test.
//
// The load generator shares the machine's two cores with the server, so
// what it spends per request is taken from the server's throughput. Go's
// http.Client, with its cookie jar, header maps and per-request
// goroutines, spent about 0.16 ms of CPU per page request here, a fifth
// of what a list page costs the server; like wrk, this client writes a
// request prepared as bytes and reads the answer straight from its
// buffer, discarding the body unless asked to keep it. It speaks only what
// the harness needs: one request at a time, bodies sized by
// Content-Length or sent chunked, and a server that may close the
// connection (it dials again on the next request).
type loadConn struct {
	addr    string // host:port, also the Host header
	timeout time.Duration
	conn    net.Conn
	br      *bufio.Reader
	req     []byte
}

// loadResponse is what the harness reads of an answer.
type loadResponse struct {
	status   int
	serverMs float64 // from Server-Timing; 0 if the server did not say
	body     []byte  // only when asked to keep it
}

func newLoadConn(addr string, timeout time.Duration) *loadConn {
	return &loadConn{addr: addr, timeout: timeout}
}

// close drops the connection; the next request dials again.
func (lc *loadConn) close() {
	if lc.conn != nil {
		lc.conn.Close()
		lc.conn, lc.br = nil, nil
	}
}

// do sends one request with the given extra header lines ("Name: value")
// and body, and reads the whole answer. A request that fails on a kept
// connection the server had already closed is sent once more on a new one.
func (lc *loadConn) do(method, path string, header []string, body []byte, keepBody bool) (loadResponse, error) {
	lc.req = lc.req[:0]
	lc.req = append(lc.req, method...)
	lc.req = append(lc.req, ' ')
	lc.req = append(lc.req, path...)
	lc.req = append(lc.req, " HTTP/1.1\r\nHost: "...)
	lc.req = append(lc.req, lc.addr...)
	lc.req = append(lc.req, "\r\n"...)
	for _, h := range header {
		lc.req = append(lc.req, h...)
		lc.req = append(lc.req, "\r\n"...)
	}
	if body != nil || method == "POST" || method == "PATCH" || method == "PUT" {
		lc.req = append(lc.req, "Content-Length: "...)
		lc.req = strconv.AppendInt(lc.req, int64(len(body)), 10)
		lc.req = append(lc.req, "\r\n"...)
	}
	lc.req = append(lc.req, "\r\n"...)
	lc.req = append(lc.req, body...)

	reused := lc.conn != nil
	resp, err := lc.roundTrip(keepBody)
	if err != nil && reused && resp.status == 0 && method == "GET" {
		// The server may close an idle connection at any time; a read
		// that got no answer on a kept one is tried once on a fresh one
		// (a write is not: it may have been carried out).
		lc.close()
		resp, err = lc.roundTrip(keepBody)
	}
	if err != nil {
		lc.close()
	}
	return resp, err
}

func (lc *loadConn) roundTrip(keepBody bool) (loadResponse, error) {
	if lc.conn == nil {
		c, err := net.DialTimeout("tcp", lc.addr, lc.timeout)
		if err != nil {
			return loadResponse{}, err
		}
		lc.conn, lc.br = c, bufio.NewReaderSize(c, 64<<10)
	}
	lc.conn.SetDeadline(time.Now().Add(lc.timeout))
	if _, err := lc.conn.Write(lc.req); err != nil {
		return loadResponse{}, err
	}
	return lc.readResponse(keepBody)
}

var errBadResponse = errors.New("malformed HTTP response")

// readResponse reads a status line, headers and body from lc.br.
func (lc *loadConn) readResponse(keepBody bool) (loadResponse, error) {
	var resp loadResponse
	line, err := lc.line()
	if err != nil {
		return resp, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return resp, fmt.Errorf("%w: status line %q", errBadResponse, line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return resp, fmt.Errorf("%w: status line %q", errBadResponse, line)
	}
	length, chunked, closing := int64(-1), false, false
	for {
		line, err := lc.line()
		if err != nil {
			return resp, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return resp, fmt.Errorf("%w: header %q", errBadResponse, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.ParseInt(string(value), 10, 64); err != nil || length < 0 {
				return resp, fmt.Errorf("%w: Content-Length %q", errBadResponse, value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("Server-Timing")):
			resp.serverMs = serverTime(string(value))
		}
	}
	var sink io.Writer = io.Discard
	var kept bytes.Buffer
	if keepBody {
		sink = &kept
	}
	switch {
	case status < 200 || status == 204 || status == 304:
		// no body
	case chunked:
		err = lc.readChunked(sink)
	case length >= 0:
		err = lc.readN(sink, length)
	default:
		// Delimited by the end of the connection.
		_, err = io.Copy(sink, lc.br)
		closing = true
	}
	resp.status = status // an answer came, even if its body then failed
	if err != nil {
		return resp, err
	}
	resp.body = kept.Bytes()
	if closing {
		lc.close()
	}
	return resp, nil
}

// line reads one header line without its CRLF.
func (lc *loadConn) line() ([]byte, error) {
	line, err := lc.br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: header line too long", errBadResponse)
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// readN moves n bytes of body to w.
func (lc *loadConn) readN(w io.Writer, n int64) error {
	if w == io.Discard {
		_, err := lc.br.Discard(int(n))
		return err
	}
	_, err := io.CopyN(w, lc.br, n)
	return err
}

// readChunked moves a chunked body to w, trailers skipped.
func (lc *loadConn) readChunked(w io.Writer) error {
	for {
		line, err := lc.line()
		if err != nil {
			return err
		}
		size, _, _ := strings.Cut(string(line), ";") // chunk extensions are ignored
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: chunk size %q", errBadResponse, line)
		}
		if n == 0 {
			for { // trailers, up to the blank line
				line, err := lc.line()
				if err != nil {
					return err
				}
				if len(line) == 0 {
					return nil
				}
			}
		}
		if err := lc.readN(w, n); err != nil {
			return err
		}
		if crlf, err := lc.line(); err != nil || len(crlf) != 0 {
			return fmt.Errorf("%w: chunk of %d bytes not followed by CRLF", errBadResponse, n)
		}
	}
}
