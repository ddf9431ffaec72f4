// Starts the telegram-test-api Bot API emulator for the end-to-end tests.
// Usage: node emulator.js PORT   (prints "READY <url>" once listening; SIGTERM stops it)
const http = require('http');
const express = require('express');
const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2] || 9000);
const host = '127.0.0.1';
const server = new TelegramServer({ port, host, storeTimeout: 600 });
const BOT = { id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot' };

// Where the emulator departs from the Bot API in ways a strict client rejects, fix it here:
// getMe lacks `is_bot`; returned messages carry milliseconds instead of Unix seconds and no `from`;
// callback-query updates lack `chat_instance`.
const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = formatUpdate(update);
  if (formatted.callback_query) {
    formatted.callback_query.chat_instance = String(formatted.callback_query.from.id);
  }
  return formatted;
};
const addBotMessage = server.addBotMessage.bind(server);
server.addBotMessage = (raw, token) => {
  const msg = addBotMessage(raw, token);
  msg.date = Math.floor(msg.date / 1000);
  msg.from = BOT;
  return msg;
};
const front = express();
front.all('/bot:token/getMe', (_req, res) => res.json({ ok: true, result: BOT }));

// Client-side long poll (an addition for the tests): answers as soon as the bot has written to
// the chat, instead of every simulated user polling /getUpdates in a loop.
server.setMaxListeners(0);
front.post('/waitUpdates', express.json(), (req, res) => {
  const { token, chatId } = req.body;
  const timeoutMs = Number(req.body.timeoutMs || 10000);
  const take = () => {
    const msgs = server.storage.botMessages.filter((u) => u.botToken === token
      && String(u.message.chat_id) === String(chatId) && !u.isRead);
    msgs.forEach((u) => { u.isRead = true; });
    return msgs;
  };
  const first = take();
  if (first.length) {
    res.json({ ok: true, result: first });
    return;
  }
  let timer = null;
  const onAdd = () => {
    const got = take();
    if (got.length) {
      clearTimeout(timer);
      server.off('AddedBotMessage', onAdd);
      res.json({ ok: true, result: got });
    }
  };
  timer = setTimeout(() => {
    server.off('AddedBotMessage', onAdd);
    res.json({ ok: true, result: [] });
  }, timeoutMs);
  server.on('AddedBotMessage', onAdd);
});
front.use(server.webServer);

const listener = http.createServer(front).listen(port, host, () => {
  console.log(`READY http://${host}:${port}`);
});

const stop = () => listener.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
