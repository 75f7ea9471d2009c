package main

import (
	"net/http"
	"net/http/pprof"
	"time"
)

// debugServer serves Go's profiler on its own address (CRM_DEBUG_ADDR), never on the app's: keep
// it on loopback. `go tool pprof http://ADDR/debug/pprof/profile?seconds=10` profiles the CPU.
func debugServer(addr string) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
}
