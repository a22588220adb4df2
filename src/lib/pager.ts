/**
 * The previous and next links of a paged list (`?page=`), keeping its other query parameters
 * (search, filters); page 1 carries no `page`. One way for every long list.
 */
export function pagerLinks(
  base: string,
  params: Record<string, string | number | null | undefined>,
  at: { page: number; pages: number },
): { prev: string | null; next: string | null } {
  const href = (page: number) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params))
      if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
    if (page > 1) query.set('page', String(page));
    const s = query.toString();
    return s ? `${base}?${s}` : base;
  };
  return { prev: at.page > 1 ? href(at.page - 1) : null, next: at.page < at.pages ? href(at.page + 1) : null };
}
