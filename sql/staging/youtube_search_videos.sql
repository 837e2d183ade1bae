-- model: staging.youtube_search_videos
-- key: video_id
-- merge: newest row
-- assert: not_null(title)
-- One row per video found by search (landed by `liner ingest`; the crawl reads uploads
-- playlists, 1 unit a page against search's 100). A search hit's id is an object
-- (`id.videoId`), not a string; its title is read as artist, song and version as the
-- playlists' are.
with hits as (
    select unnest(json_extract(body, '$.items[*]')) as i, fetched_at
    from answers.youtube_video_search
)
select
    json_extract_string(i, '$.id.videoId') as video_id,
    json_extract_string(i, '$.snippet.title') as title,
    json_extract_string(i, '$.snippet.channelId') as channel_id,
    json_extract_string(i, '$.snippet.channelTitle') as channel_title,
    try_cast(json_extract_string(i, '$.snippet.publishedAt') as timestamp) as published_at,
    json_extract_string(i, '$.snippet.liveBroadcastContent') as live_broadcast,
    video_artist(json_extract_string(i, '$.snippet.title'), coalesce(json_extract_string(i, '$.snippet.channelTitle'), '')) as candidate_artist,
    video_song(json_extract_string(i, '$.snippet.title'), coalesce(json_extract_string(i, '$.snippet.channelTitle'), '')) as candidate_title,
    fetched_at
from hits
where json_extract_string(i, '$.id.videoId') is not null
