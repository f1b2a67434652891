// The dispatcher's container and image routes.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "api/dispatcher.h"
#include "api/responses.h"
#include "http/socket_io.h"

namespace vessel::api {

namespace {

using nlohmann::json;

// Copies what the log gains (from `offset`) to the client, woken by inotify; what the client
// sends goes to the container's stdin FIFO. Ends when the client hangs up.
void relay_container_console(int client, const std::string& log_path, const std::string& fifo, std::string pending) {
  if (client < 0) return;
  const int log = open(log_path.c_str(), O_RDONLY | O_CLOEXEC);
  const int in = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  const int watch = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (log < 0 || in < 0 || watch < 0 || inotify_add_watch(watch, log_path.c_str(), IN_MODIFY) < 0) {
    for (int fd : {log, in, watch})
      if (fd >= 0) close(fd);
    return;
  }
  // History first: the last 64 KiB of the log.
  const off_t size = lseek(log, 0, SEEK_END);
  lseek(log, size > 65536 ? size - 65536 : 0, SEEK_SET);
  char buf[16384];
  bool client_open = true;
  auto write_input = [&](const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = write(in, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return;  // a full FIFO (nobody reads stdin): drop, as a terminal would block
      p += w;
      n -= static_cast<size_t>(w);
    }
  };
  write_input(pending.data(), pending.size());
  for (;;) {
    for (ssize_t n; (n = read(log, buf, sizeof buf)) > 0;)
      if (!http::send_all(client, buf, static_cast<size_t>(n))) goto done;
    {
      pollfd fds[2] = {{watch, POLLIN, 0}, {client, static_cast<short>(client_open ? POLLIN : 0), 0}};
      if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
      if (fds[0].revents) (void)!read(watch, buf, sizeof buf);
      if (fds[1].revents & (POLLERR | POLLNVAL)) break;
      if (!client_open && (fds[1].revents & POLLHUP)) break;
      if (client_open && (fds[1].revents & (POLLIN | POLLHUP))) {
        const ssize_t n = recv(client, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        if (n == 0) {
          client_open = false;  // input ended: keep sending output until the client closes
          continue;
        }
        write_input(buf, static_cast<size_t>(n));
      }
    }
  }
done:
  close(log);
  close(in);
  close(watch);
}

}  // namespace

http::HandlerResult Dispatcher::execute_container(const ContainerAction& action) {
  return std::visit(
      [&](const auto& a) -> http::HandlerResult {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, ListContainers>) {
          return json_response(200, containers_.list());
        } else if constexpr (std::is_same_v<T, CreateContainer>) {
          return from_outcome(containers_.create(a.body), 201);
        } else if constexpr (std::is_same_v<T, GetContainer>) {
          return from_outcome(containers_.get(a.name));
        } else if constexpr (std::is_same_v<T, DeleteContainer>) {
          return from_outcome(containers_.remove(a.name));
        } else if constexpr (std::is_same_v<T, ExecContainer>) {
          return from_outcome(containers_.exec(a.name, a.body));
        } else if constexpr (std::is_same_v<T, UpdateContainerLimits>) {
          return from_outcome(containers_.update_limits(a.name, a.body));
        } else if constexpr (std::is_same_v<T, ContainerLogs>) {
          auto text = containers_.logs(a.name, a.tail_bytes);
          if (!text) return {error_response(from_manager(text.error())), {}};
          http::HandlerResult r;
          r.response.content_type = "text/plain; charset=utf-8";
          r.response.body = text.value();
          return r;
        } else if constexpr (std::is_same_v<T, AttachContainerConsole>) {
          return attach_container_console(a);
        } else {
          static_assert(std::is_same_v<T, ContainerPowerAction>);
          switch (a.kind) {
            case ContainerPower::Start: return from_outcome(containers_.start(a.name));
            case ContainerPower::Stop: return from_outcome(containers_.stop(a.name, a.timeout));
            case ContainerPower::Kill: return from_outcome(containers_.kill(a.name, a.signal));
            case ContainerPower::Pause: return from_outcome(containers_.pause(a.name));
            case ContainerPower::Resume: return from_outcome(containers_.resume(a.name));
          }
          return json_response(500, {{"error", {{"code", "internal"}, {"message", "unknown action"}}}});
        }
      },
      action);
}

http::HandlerResult Dispatcher::execute_image(const ImageAction& action) {
  return std::visit(
      [&](const auto& a) -> http::HandlerResult {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, ListImages>) {
          json out = json::array();
          for (const auto& image : images_.list()) out.push_back(image.to_json());
          return json_response(200, out);
        } else if constexpr (std::is_same_v<T, ImportImage>) {
          auto image = images_.import(a.path, a.name);
          if (!image) return {error_response(from_manager(image.error())), {}};
          log_.info("image imported", {{"image", image->name}, {"from", a.path}});
          return json_response(201, image->to_json());
        } else if constexpr (std::is_same_v<T, GetImage>) {
          auto image = images_.find(a.name);
          if (!image) return {error_response({404, "image_not_found", "no image named '" + a.name + "'", {}}), {}};
          return json_response(200, image->to_json());
        } else {
          static_assert(std::is_same_v<T, DeleteImage>);
          if (containers_.image_in_use(a.name))
            return {error_response({409, "image_in_use", "containers use the image '" + a.name + "'", {}}), {}};
          auto removed = images_.remove(a.name);
          if (!removed) return {error_response(from_manager(removed.error())), {}};
          return json_response(200, {{"name", a.name}, {"deleted", true}});
        }
      },
      action);
}

http::HandlerResult Dispatcher::attach_container_console(const AttachContainerConsole& a) {
  auto ends = containers_.console(a.name);
  if (!ends) return {error_response(from_manager(ends.error())), {}};
  return console_stream(a.upgrade, a.websocket_key,
                        [log = ends->log_path, fifo = ends->stdin_fifo](int client, std::string rest) {
                          relay_container_console(client, log, fifo, std::move(rest));
                        });
}

}  // namespace vessel::api
