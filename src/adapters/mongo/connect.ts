import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/** Connects to MongoDB (or FerretDB); the adapters take the `Db`, the caller owns the connection. */
export async function connectMongo(
  url: string,
  dbName: string,
  options: MongoClientOptions = {},
): Promise<MongoConnection> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000, ...options });
  await client.connect();
  return { client, db: client.db(dbName), close: () => client.close() };
}
