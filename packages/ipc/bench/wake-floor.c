// What C pays for one wake-up of a sleeping process on this machine: two processes
// ping-pong, each sleeping until the other answers, with no event loop, allocation or
// framing in the way. The floor under any consumer that sleeps rather than spins:
//   futex   one word of a shared file mapping, futex(2) wait/wake (how waitSync sleeps);
//   epoll   a pipe each way, epoll_wait then read (how an event loop sleeps: the
//           doorbell that wait() uses, and a socket's reader, wake like this).
//
//   wake-floor futex|epoll FILE COUNT    prints {"latencies":[...]}: half of each round trip, µs
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
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

// --- futex: odd values of the word are pings, even values pongs.
static _Atomic uint32_t *word;

static void futex_wait_past(uint32_t seen) {
  while (atomic_load_explicit(word, memory_order_acquire) == seen) {
    // Not FUTEX_PRIVATE_FLAG: keyed by the file, as between unrelated processes.
    if (syscall(SYS_futex, word, FUTEX_WAIT, seen, NULL, NULL, 0) == -1 && errno != EAGAIN &&
        errno != EINTR)
      die("futex wait");
  }
}

static void futex_bump(void) {
  atomic_fetch_add_explicit(word, 1, memory_order_release);
  if (syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0) == -1) die("futex wake");
}

// --- epoll: one pipe each way.
static int epoll_fd, read_end, write_end;

static void epoll_receive(void) {
  char byte;
  for (;;) {
    struct epoll_event event;
    int n = epoll_wait(epoll_fd, &event, 1, -1);
    if (n == -1 && errno != EINTR) die("epoll_wait");
    if (n == 1 && read(read_end, &byte, 1) == 1) return;
  }
}

static void epoll_send(void) {
  if (write(write_end, "x", 1) != 1) die("write");
}

static void epoll_setup(int pings[2], int pongs[2], int is_pong) {
  read_end = is_pong ? pings[0] : pongs[0];
  write_end = is_pong ? pongs[1] : pings[1];
  epoll_fd = epoll_create1(0);
  struct epoll_event event = {.events = EPOLLIN, .data.fd = read_end};
  if (epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, read_end, &event) != 0) die("epoll");
}

int main(int argc, char **argv) {
  if (argc != 4 || (strcmp(argv[1], "futex") != 0 && strcmp(argv[1], "epoll") != 0)) {
    fprintf(stderr, "usage: %s futex|epoll FILE COUNT\n", argv[0]);
    return 2;
  }
  int use_futex = strcmp(argv[1], "futex") == 0;
  long count = atol(argv[3]);
  int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || ftruncate(fd, 4096) != 0) die(argv[2]);
  word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (word == MAP_FAILED) die("mmap");
  int pings[2], pongs[2];
  if (pipe(pings) != 0 || pipe(pongs) != 0) die("pipe");
  double *halves = malloc(sizeof(double) * (count > 0 ? count : 1));
  if (halves == NULL) die("malloc");

  pid_t child = fork();
  if (child < 0) die("fork");
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
