// What C pays for one wake-up of a sleeping process on this machine: two processes
// ping-pong, each sleeping until the other answers, with no event loop, allocation or
// framing in the way. The floor under any consumer that sleeps rather than spins:
//   futex   one word of a shared file mapping, futex(2) wait/wake (how waitSync sleeps);
//   epoll   a pipe each way, epoll_wait then read (how an event loop sleeps: the
//           doorbell that wait() uses, and a socket's reader, wake like this).
//
//   wake-floor futex|epoll FILE COUNT [GAP_US]
// prints {"latencies":[...]}: half of each round trip, µs. With GAP_US the pinging side
// sleeps that long before each round trip, so both sides have been idle when it starts.
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
  perror(what);
  exit(1);
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

// --- futex: odd values of word[0] are pings, even values pongs; word[1] counts the
// sides asleep, so a bump calls futex(2) only when someone sleeps (as the queue's
// appenders wake only a tailer whose bit is up).
static _Atomic uint32_t *word;
static pid_t peer;

// Whether the other side is gone, so that a failure never leaves this one asleep.
static int peer_gone(void) {
  if (peer == 0) return getppid() == 1;
  return waitpid(peer, NULL, WNOHANG) != 0;
}

static void futex_wait_past(uint32_t seen) {
  while (atomic_load(&word[0]) == seen) {
    atomic_fetch_add(&word[1], 1);
    struct timespec second = {.tv_sec = 1};
    // Not FUTEX_PRIVATE_FLAG: keyed by the file, as between unrelated processes.
    long rc = atomic_load(&word[0]) == seen
                  ? syscall(SYS_futex, &word[0], FUTEX_WAIT, seen, &second, NULL, 0)
                  : 0;
    atomic_fetch_sub(&word[1], 1);
    if (rc == -1 && errno == ETIMEDOUT && peer_gone()) die("the other side is gone");
    if (rc == -1 && errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT) die("futex wait");
  }
}

static void futex_bump(void) {
  atomic_fetch_add(&word[0], 1);
  if (atomic_load(&word[1]) != 0 && syscall(SYS_futex, &word[0], FUTEX_WAKE, 1, NULL, NULL, 0) == -1)
    die("futex wake");
}

// --- epoll: one pipe each way.
static int epoll_fd, read_end, write_end;

static void epoll_receive(void) {
  char byte;
  for (;;) {
    struct epoll_event event;
    int n = epoll_wait(epoll_fd, &event, 1, -1);
    if (n == -1 && errno != EINTR) die("epoll_wait");
    if (n != 1) continue;
    ssize_t got = read(read_end, &byte, 1);
    if (got == 1) return;
    if (got == 0) die("the other side is gone");
    if (errno != EAGAIN && errno != EINTR) die("read");
  }
}

static void epoll_send(void) {
  if (write(write_end, "x", 1) != 1) die("write");
}

static void epoll_setup(int pings[2], int pongs[2], int is_pong) {
  read_end = is_pong ? pings[0] : pongs[0];
  write_end = is_pong ? pongs[1] : pings[1];
  // Only this side's ends stay open: the other side's exit is then an EOF here.
  close(is_pong ? pings[1] : pongs[1]);
  close(is_pong ? pongs[0] : pings[0]);
  epoll_fd = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.fd = read_end};
  if (epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, read_end, &event) != 0) die("epoll");
}

int main(int argc, char **argv) {
  if ((argc != 4 && argc != 5) || (strcmp(argv[1], "futex") != 0 && strcmp(argv[1], "epoll") != 0)) {
    fprintf(stderr, "usage: %s futex|epoll FILE COUNT [GAP_US]\n", argv[0]);
    return 2;
  }
  int use_futex = strcmp(argv[1], "futex") == 0;
  long count = atol(argv[3]);
  long gap_us = argc == 5 ? atol(argv[4]) : 0;
  struct timespec gap = {.tv_sec = gap_us / 1000000, .tv_nsec = (gap_us % 1000000) * 1000};
  int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ftruncate(fd, 4096) != 0) die(argv[2]);
  word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (word == MAP_FAILED) die("mmap");
  int pings[2], pongs[2];
  if (pipe(pings) != 0 || pipe(pongs) != 0) die("pipe");
  double *halves = malloc(sizeof(double) * (count > 0 ? count : 1));
  if (halves == NULL) die("malloc");

  pid_t parent = getpid();
  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    // Never outlive the pinging side, whatever way it ends.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) die("parent");
  }
  peer = child;
  if (!use_futex) epoll_setup(pings, pongs, child == 0);
  if (child == 0) {
    for (long i = 0; i < count; i++) {
      if (use_futex) {
        futex_wait_past((uint32_t)(2 * i));
        futex_bump();
      } else {
        epoll_receive();
        epoll_send();
      }
    }
    return 0;
  }
  for (long i = 0; i < count; i++) {
    if (gap_us > 0) nanosleep(&gap, NULL);
    double sent = now_us();
    if (use_futex) {
      futex_bump();
      futex_wait_past((uint32_t)(2 * i + 1));
    } else {
      epoll_send();
      epoll_receive();
    }
    halves[i] = (now_us() - sent) / 2;
  }
  int status;
  if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die("pong");
  unlink(argv[2]);
  printf("{\"latencies\":[");
  for (long i = 0; i < count; i++) printf(i ? ",%.3f" : "%.3f", halves[i]);
  printf("]}\n");
  return 0;
}
