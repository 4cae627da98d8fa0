// A TCP read that tells Asio's epoll reactor when it drained the socket.
//
// Why: Boost 1.81's reactor reads speculatively when a read starts after the socket was readable,
// and only a read that found end-of-stream stops that. A server that answers one command and reads
// again then makes a recv that finds nothing after every request (the client has not seen the
// reply yet): one syscall in four at `-P 1`. A readiness wait (async_wait) costs the same in an
// epoll_ctl that re-arms the socket.
//
// A short read alone does not prove the socket empty: a FIN or RST that came with the last bytes
// is still to be read, and the edge-triggered epoll will not report it again. So the read asks the
// kernel (TCP_INQ): every recvmsg returns how much is left to read, and a nonzero count once the
// peer's end of stream is waiting. Only a read that leaves zero reports "exhausted": the next read
// then waits for epoll without trying first, and a request costs epoll_wait, recv and send, as in
// Redis. Without TCP_INQ (setsockopt refused) no read reports it, which is Asio's own behaviour.
//
// It uses Asio's reactor operation interface (boost/asio/detail), pinned by the Boost of Debian
// bookworm that the build requires; everything else about the read (cancellation, close, shutdown
// of the io_context) is the reactor's, as for async_read_some.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <new>
#include <utility>

#if !defined(BOOST_ASIO_HAS_EPOLL) || defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#error "drained_read.h needs Asio's epoll reactor"
#endif

namespace respd::server {

namespace drained_read_internal {

namespace detail = boost::asio::detail;

template <class Handler>
class ReadOp final : public detail::reactor_op {
 public:
  ReadOp(detail::socket_type socket, boost::asio::mutable_buffer buffer, Handler handler)
      : reactor_op(boost::system::error_code(), &ReadOp::Perform, &ReadOp::Complete),
        socket_(socket),
        buffer_(buffer),
        handler_(std::move(handler)) {}

  // From the thread's recycled blocks, as Asio's own operations are: no malloc per read.
  static ReadOp* New(detail::socket_type socket, boost::asio::mutable_buffer buffer,
                     Handler handler) {
    return new (Allocator().allocate(1)) ReadOp(socket, buffer, std::move(handler));
  }

 private:
  using Allocator = boost::asio::recycling_allocator<ReadOp>;

  static void Delete(ReadOp* op) {
    op->~ReadOp();
    Allocator().deallocate(op, 1);
  }

  static status Perform(reactor_op* base) {
    auto* op = static_cast<ReadOp*>(base);
    iovec data{op->buffer_.data(), op->buffer_.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    ssize_t received;
    do {
      received = ::recvmsg(op->socket_, &message, 0);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;
      op->ec_ = boost::system::error_code(errno, boost::asio::error::get_system_category());
      return done;
    }
    op->bytes_transferred_ = static_cast<std::size_t>(received);
    if (received == 0) {
      op->ec_ = boost::asio::error::eof;
      return done_and_exhausted;
    }
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level == SOL_TCP && header->cmsg_type == TCP_CM_INQ) {
        int left;
        std::memcpy(&left, CMSG_DATA(header), sizeof(left));
        return left == 0 ? done_and_exhausted : done;
      }
    }
    return done;
  }

  // `owner` is null when the io_context destroys the operation without running it.
  static void Complete(void* owner, detail::scheduler_operation* base,
                       const boost::system::error_code&, std::size_t) {
    auto* op = static_cast<ReadOp*>(base);
    Handler handler(std::move(op->handler_));
    boost::system::error_code error = op->ec_;
    std::size_t bytes = op->bytes_transferred_;
    Delete(op);
    if (owner != nullptr) handler(error, bytes);
  }

  detail::socket_type socket_;
  boost::asio::mutable_buffer buffer_;
  Handler handler_;
};

// The socket's reactor state, which basic_socket keeps protected: read through a pointer to
// member taken in a derived class, the standard's way to reach it from outside.
template <class Socket>
struct ImplAccess : Socket {
  static auto& Of(Socket& socket) { return (socket.*(&ImplAccess::impl_)).get_implementation(); }
};

}  // namespace drained_read_internal

// Reads from one non-blocking TCP socket, one read at a time.
class DrainedReader {
 public:
  using Socket = boost::asio::ip::tcp::socket;

  explicit DrainedReader(Socket& socket)
      : socket_(socket),
        reactor_(boost::asio::use_service<boost::asio::detail::reactor>(
            boost::asio::query(socket.get_executor(), boost::asio::execution::context))) {}

  // Asks the kernel for TCP_INQ on every read; the socket must be open. Without it, reads never
  // report the socket drained.
  void Open() {
    int on = 1;
    ::setsockopt(socket_.native_handle(), SOL_TCP, TCP_INQ, &on, sizeof(on));
  }

  // Reads some bytes into `buffer`, then handler(error_code, bytes) on the socket's io_context,
  // as socket.async_read_some does.
  template <class Handler>
  void Read(boost::asio::mutable_buffer buffer, Handler&& handler) {
    namespace detail = boost::asio::detail;
    using Op = drained_read_internal::ReadOp<std::decay_t<Handler>>;
    auto& impl = drained_read_internal::ImplAccess<Socket>::Of(socket_);
    Op* op = Op::New(impl.socket_, buffer, std::forward<Handler>(handler));
    if ((impl.state_ & detail::socket_ops::non_blocking) == 0) {
      // Connections set their sockets non-blocking when they open; a read that would block the
      // loop is refused rather than made.
      op->ec_ = boost::asio::error::operation_not_supported;
      reactor_.post_immediate_completion(op, false);
      return;
    }
    reactor_.start_op(detail::reactor::read_op, impl.socket_, impl.reactor_data_, op,
                      /*is_continuation=*/false, /*allow_speculative=*/true);
  }

 private:
  Socket& socket_;
  boost::asio::detail::reactor& reactor_;
};

}  // namespace respd::server
