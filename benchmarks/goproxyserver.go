// A GOPROXY-layout file server for the benchmarks: fast enough never to be the bottleneck.
//
// It serves a directory (what tests/universe.py writes) over HTTP/1.1 with keep-alive,
// sleeping -latency before every response, and prints its URL on the first line of
// stdout. GET /_stats answers {"requests": N, "max_in_flight": M} for the requests
// since the previous /_stats (which is not counted), then starts counting afresh.
//
// Built at run time by benchmarks/goserver.py with the go command from the venv:
//
//	go build -o DIR/goproxyserver benchmarks/goproxyserver.go
//	DIR/goproxyserver -root ROOT/proxy -latency 20ms
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

type stats struct {
	mu          sync.Mutex
	requests    int
	inFlight    int
	maxInFlight int
}

func (s *stats) enter() {
	s.mu.Lock()
	s.requests++
	s.inFlight++
	if s.inFlight > s.maxInFlight {
		s.maxInFlight = s.inFlight
	}
	s.mu.Unlock()
}

func (s *stats) leave() {
	s.mu.Lock()
	s.inFlight--
	s.mu.Unlock()
}

func (s *stats) take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{"requests": s.requests, "max_in_flight": s.maxInFlight}
	s.requests = 0
	s.maxInFlight = s.inFlight
	return out
}

func main() {
	root := flag.String("root", ".", "directory in GOPROXY layout")
	latency := flag.Duration("latency", 20*time.Millisecond, "delay before every response")
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	flag.Parse()

	var st stats
	files := http.FileServer(http.Dir(*root))
	mux := http.NewServeMux()
	mux.HandleFunc("/_stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(st.take())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		st.enter()
		defer st.leave()
		time.Sleep(*latency)
		w.Header().Set("Cache-Control", "no-store")
		files.ServeHTTP(w, r)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	os.Stdout.Sync()
	srv := &http.Server{Handler: mux, IdleTimeout: 120 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
