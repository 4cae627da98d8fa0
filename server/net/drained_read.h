// A TCP read that tells Asio's epoll reactor when it drained the socket.
//
// Why: Boost 1.81's reactor reads speculatively when a read starts after the socket was readable,
// and only a read that found end-of-stream stops that. A server that answers one command and reads
// again then makes a recv that finds nothing after every request (the client has not seen the
// reply yet): one syscall in four at `-P 1`. A readiness wait (async_wait) costs the same in an
// epoll_ctl that re-arms the socket.
//
// A short read leaves the socket empty (TCP returns less than asked only when nothing is queued),
// but not always done with: a FIN or RST that came with the last bytes is still to be read, and
// the edge-triggered epoll will not report it again. So the socket is registered for EPOLLRDHUP
// too, and the read looks at the events of the reactor's last report for it. epoll computes them
// when it reports, so an end of stream that came before is among them (EPOLLRDHUP, or EPOLLHUP and
// EPOLLERR for a reset), and one that comes after makes epoll report the socket again. Only a
// short read with none of those reports "exhausted": the next read then waits for epoll without
// trying first, and a request costs epoll_wait, recv and send, as in Redis.
//
// It reads with recv: a recvmsg asking for TCP_INQ (the bytes left) did the same job, and cost the
// server 1.5% more CPU per request at `-P 1` (copying the message header, the iovec and the
// control message). Without EPOLLRDHUP (epoll_ctl refused) no read reports it, which is Asio's own
// behaviour.
//
// It uses Asio's reactor operation interface and, for the registration and the last events, state
// the reactor keeps private (boost/asio/detail), pinned by the Boost of Debian bookworm that the
// build requires; everything else about the read (cancellation, close, shutdown of the io_context)
// is the reactor's, as for async_read_some.
#pragma once

#include <sys/epoll.h>
#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/version.hpp>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#if !defined(BOOST_ASIO_HAS_EPOLL) || defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
#error "drained_read.h needs Asio's epoll reactor"
#endif
#if BOOST_VERSION != 108100
#error "drained_read.h reads the private state of Boost 1.81's epoll reactor"
#endif

namespace respd::server {

namespace drained_read_internal {

namespace detail = boost::asio::detail;
using DescriptorState = detail::epoll_reactor::descriptor_state;

// A private member's name may be used in an explicit instantiation (the standard exempts it from
// access checking); a friend defined by the instantiated template hands the member pointer out.
template <class Tag, typename Tag::Type kMember>
struct Expose {
  friend typename Tag::Type MemberPointer(Tag) { return kMember; }
};
struct EpollFd {
  using Type = int detail::epoll_reactor::*;
  friend Type MemberPointer(EpollFd);
};
struct RegisteredEvents {
  using Type = uint32_t DescriptorState::*;
  friend Type MemberPointer(RegisteredEvents);
};
struct DescriptorMutex {
  using Type = detail::conditionally_enabled_mutex DescriptorState::*;
  friend Type MemberPointer(DescriptorMutex);
};
// The events of the reactor's last report for a descriptor, which it keeps as the descriptor
// operation's result until the next report.
struct ReportedEvents {
  using Type = unsigned int detail::scheduler_operation::*;
  friend Type MemberPointer(ReportedEvents);
};
template struct Expose<EpollFd, &detail::epoll_reactor::epoll_fd_>;
template struct Expose<RegisteredEvents, &DescriptorState::registered_events_>;
template struct Expose<DescriptorMutex, &DescriptorState::mutex_>;
template struct Expose<ReportedEvents, &detail::scheduler_operation::task_result_>;

inline uint32_t LastReportedEvents(DescriptorState* state) {
  // A C-style cast may convert to a private base (the descriptor state is a scheduler operation).
  auto* operation = (detail::scheduler_operation*)state;  // NOLINT(google-readability-casting)
  return operation->*MemberPointer(ReportedEvents{});
}

// After data, these mean an end of stream or an error is still to be read.
constexpr uint32_t kEndEvents = EPOLLRDHUP | EPOLLHUP | EPOLLERR;

template <class Handler>
class ReadOp final : public detail::reactor_op {
 public:
  // `state` is null where the socket is not registered for EPOLLRDHUP: no read reports the
  // socket exhausted then.
  ReadOp(detail::socket_type socket, DescriptorState* state, boost::asio::mutable_buffer buffer,
         Handler handler)
      : reactor_op(boost::system::error_code(), &ReadOp::Perform, &ReadOp::Complete),
        socket_(socket),
        state_(state),
        buffer_(buffer),
        handler_(std::move(handler)) {}

  // From the thread's recycled blocks, as Asio's own operations are: no malloc per read.
  static ReadOp* New(detail::socket_type socket, DescriptorState* state,
                     boost::asio::mutable_buffer buffer, Handler handler) {
    return new (Allocator().allocate(1)) ReadOp(socket, state, buffer, std::move(handler));
  }

 private:
  using Allocator = boost::asio::recycling_allocator<ReadOp>;

  static void Delete(ReadOp* op) {
    op->~ReadOp();
    Allocator().deallocate(op, 1);
  }

  static status Perform(reactor_op* base) {
    auto* op = static_cast<ReadOp*>(base);
    ssize_t received;
    do {
      received = ::recv(op->socket_, op->buffer_.data(), op->buffer_.size(), 0);
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
    bool short_read = static_cast<std::size_t>(received) < op->buffer_.size();
    if (short_read && op->state_ != nullptr &&
        (LastReportedEvents(op->state_) & kEndEvents) == 0) {
      return done_and_exhausted;
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
  DescriptorState* state_;
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

  // Registers the socket for EPOLLRDHUP besides Asio's events (which its later changes of the
  // registration keep); the socket must be open. Without it, reads never report the socket drained.
  void Open() {
    namespace internal = drained_read_internal;
    auto& impl = internal::ImplAccess<Socket>::Of(socket_);
    internal::DescriptorState* state = impl.reactor_data_;
    if (state == nullptr) return;
    auto& registered = state->*MemberPointer(internal::RegisteredEvents{});
    auto& mutex = state->*MemberPointer(internal::DescriptorMutex{});
    boost::asio::detail::conditionally_enabled_mutex::scoped_lock lock(mutex);
    if (registered == 0) return;
    epoll_event event{};
    event.events = registered | EPOLLRDHUP;
    event.data.ptr = state;
    if (::epoll_ctl(reactor_.*MemberPointer(internal::EpollFd{}), EPOLL_CTL_MOD, impl.socket_,
                    &event) != 0) {
      return;
    }
    registered = event.events;
    watches_end_ = true;
  }

  // Reads some bytes into `buffer`, then handler(error_code, bytes) on the socket's io_context,
  // as socket.async_read_some does.
  template <class Handler>
  void Read(boost::asio::mutable_buffer buffer, Handler&& handler) {
    namespace detail = boost::asio::detail;
    using Op = drained_read_internal::ReadOp<std::decay_t<Handler>>;
    auto& impl = drained_read_internal::ImplAccess<Socket>::Of(socket_);
    Op* op = Op::New(impl.socket_, watches_end_ ? impl.reactor_data_ : nullptr, buffer,
                     std::forward<Handler>(handler));
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
  bool watches_end_ = false;
};

}  // namespace respd::server
