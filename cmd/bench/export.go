package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Export is one CSV export of every contact, as an admin: its size and time, and the server's
// peak resident memory before and after, which an export that streams leaves where it was.
type Export struct {
	Rows         int64   `json:"rows"`
	MB           float64 `json:"mb"`
	Seconds      float64 `json:"seconds"`
	PeakBeforeMB float64 `json:"peak_rss_before_mb"`
	PeakAfterMB  float64 `json:"peak_rss_after_mb"`
}

// measureExport downloads /contacts/export.csv as the admin, counting rows as they arrive.
func measureExport(ctx context.Context, cfg config, srv *server) (*Export, error) {
	httpc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c, err := login(ctx, httpc, srv.URL, "admin@demo.test", cfg.Password)
	if err != nil {
		return nil, err
	}
	ex := &Export{}
	if ex.PeakBeforeMB, err = srv.peakRSS(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/contacts/export.csv?view=all", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Cookie", "crm_session="+c.cookie)
	start := time.Now()
	resp, err := httpc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("export: status %d", resp.StatusCode)
	}
	buf := make([]byte, 64<<10)
	var size int64
	for {
		n, err := resp.Body.Read(buf)
		size += int64(n)
		ex.Rows += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	ex.Seconds = time.Since(start).Seconds()
	ex.Rows-- // the header
	ex.MB = float64(size) / (1 << 20)
	ex.PeakAfterMB, err = srv.peakRSS()
	return ex, err
}
