// `news-list`: the first page of the news list (/uk/news: 20 of 4,000 materials with covers,
// the category filter and the pager), anonymous, 32 connections. Runner in news-article.ts.
import { newsScenario } from './news-article.ts';

export const newsList = () => newsScenario('news-list', async () => '/uk/news');
