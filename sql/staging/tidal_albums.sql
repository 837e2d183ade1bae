-- model: staging.tidal_albums
-- key: album_id
-- assert: not_null(title)
-- One row per TIDAL album: its lookup (`/albums?filter[id]=`, `/albums?filter[barcodeId]=`,
-- the answers that relate its artists and items: `whole`), else its object in the
-- `included` of an artist's albums page or of a track asked by ISRC (attributes, but
-- no artists related: the artist's page names the artist in its request).
-- `barcodeId` is the GTIN as delivered (zero-padded to 14 digits at times, as Spotify
-- pads it); `popularity` is TIDAL's own, 0 to 1 in newer answers (0.0 in an older one);
-- `number_of_items` counts tracks and videos; `copyright` is a string in older answers
-- and `{text}` in newer ones. `type` is ALBUM, EP or SINGLE (`albumType` in newer
-- answers, both alike where both are).
-- A guess: what an artist's albums page includes (no recording of one was found): the
-- albums' attributes as a lookup has them.
-- merge: by whole, then newest
select
    id as album_id,
    attributes ->> 'title' as title,
    nullif(attributes ->> 'version', '') as version,
    coalesce(attributes ->> 'albumType', attributes ->> 'type') as album_type,
    nullif(attributes ->> 'barcodeId', '') as barcode,
    norm_gtin(attributes ->> 'barcodeId') as gtin,
    nullif(attributes ->> 'releaseDate', '') as release_date,
    try_cast(attributes ->> 'numberOfItems' as integer) as number_of_items,
    try_cast(attributes ->> 'numberOfVolumes' as integer) as number_of_volumes,
    duration_ms,
    try_cast(attributes ->> 'explicit' as boolean) as explicit,
    try_cast(attributes ->> 'popularity' as double) as popularity,
    copyright,
    url,
    coalesce(artist_id, case when resource = 'artist_albums' then params ->> 'artist_id' end) as artist_id,
    artist_credit,
    fetched_at,
    raw_file,
    (resource in ('albums', 'albums_by_barcode') and role = 'data')::integer as whole
from staging.tidal_resources
where type = 'albums' and resource in ('albums', 'albums_by_barcode', 'artist_albums', 'tracks_by_isrc')
