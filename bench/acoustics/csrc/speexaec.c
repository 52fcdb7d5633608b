/* speexaec: the speexdsp peer of the acoustics benchmark. Reads the far-end (loudspeaker)
 * and microphone signals as raw 16-bit mono, runs speex_echo_cancellation and
 * speex_preprocess_run (denoiser on, as speexdsp's residual echo suppression needs it; AGC
 * off) in 10 ms frames, writes the filter's output and the final output, and prints the
 * thread CPU time per frame spent in the two calls.
 * usage: speexaec RATE TAIL_SAMPLES FAR MIC OUT LINEAR */
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static short *slurp(const char *path, long *n) {
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); exit(1); }
	fseek(f, 0, SEEK_END);
	long bytes = ftell(f);
	rewind(f);
	short *x = malloc(bytes);
	if (fread(x, 1, bytes, f) != (size_t)bytes) { perror(path); exit(1); }
	fclose(f);
	*n = bytes / 2;
	return x;
}

static void spill(const char *path, const short *x, long n) {
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(x, 2, n, f) != (size_t)n || fclose(f)) { perror(path); exit(1); }
}

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
	if (argc != 7) { fprintf(stderr, "usage: speexaec RATE TAIL FAR MIC OUT LINEAR\n"); return 2; }
	int rate = atoi(argv[1]), tail = atoi(argv[2]), frame = rate / 100;
	long nf, nm;
	short *far = slurp(argv[3], &nf), *mic = slurp(argv[4], &nm);
	long n = (nf < nm ? nf : nm) / frame * frame;
	short *out = calloc(n, 2), *lin = calloc(n, 2);
	SpeexEchoState *st = speex_echo_state_init(frame, tail);
	SpeexPreprocessState *pp = speex_preprocess_state_init(frame, rate);
	speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_ECHO_STATE, st);
	int on = 1, off = 0;
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_DENOISE, &on);
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_AGC, &off);
	double t0 = now();
	for (long i = 0; i < n; i += frame) {
		speex_echo_cancellation(st, mic + i, far + i, out + i);
		for (int j = 0; j < frame; j++) lin[i + j] = out[i + j];
		speex_preprocess_run(pp, out + i);
	}
	double t1 = now();
	spill(argv[5], out, n);
	spill(argv[6], lin, n);
	printf("ns_per_frame %.0f\n", (t1 - t0) / (n / frame));
	speex_echo_state_destroy(st);
	speex_preprocess_state_destroy(pp);
	return 0;
}
