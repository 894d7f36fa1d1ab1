import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { hostServer } from './host.ts';

/**
 * Baseline: Socket.IO rooms, WebSocket transport only. A subscribe joins a room (acked), a publish emits
 * `{type: 'message', topic, data}` to the room, the usual way to build topic pub/sub on Socket.IO.
 */
hostServer(async () => {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
  io.on('connection', (socket) => {
    socket.on('subscribe', (topic: unknown, ack: unknown) => {
      if (typeof topic !== 'string') return;
      socket.join(topic);
      if (typeof ack === 'function') ack();
    });
    socket.on('publish', (topic: unknown, data: unknown) => {
      if (typeof topic !== 'string') return;
      io.to(topic).emit('message', { type: 'message', topic, data });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
});
