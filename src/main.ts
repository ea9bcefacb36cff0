import 'reflect-metadata';
import express from 'express';

// Placeholder entry point until the embedded runtime lands: serves /healthz only.
const app = express();
app.get('/healthz', (_req, res) => {
  res.json({ code: 200, message: 'success', data: { status: 'ok' }, timestamp: Date.now() });
});
const port = Number(process.env.PORT ?? 3000);
app.listen(port, '0.0.0.0', () => console.log(JSON.stringify({ msg: 'listening', port })));
